/**
 * Console accounts: made, authenticated, locked after repeated wrong passwords, disabled, reset.
 * Every change is audited by the caller's actor; passwords never leave this module unhashed
 * except the generated one, returned once to be shown.
 */
import type { OperatorUser } from '../../generated/prisma/client.ts';
import type { Locale } from '../../conversation/core/views.ts';
import type { Db } from '../../services/db.ts';
import { audit, type Actor } from '../audit.ts';
import { generatePassword, hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './password.ts';
import type { Role } from './roles.ts';

/** Wrong passwords in a row that lock an account, and for how long. */
export const LOCK_AFTER_FAILURES = 10;
export const LOCK_MINUTES = 15;

export type UserProblem = 'usernameInvalid' | 'usernameTaken' | 'passwordShort' | 'notFound' | 'lastAdmin';

export class UserError extends Error {
  override name = 'UserError';
  constructor(readonly problem: UserProblem) {
    super(problem);
  }
}

export type LoginResult = { ok: true; user: OperatorUser } | { ok: false; reason: 'invalid' | 'disabled' } | { ok: false; reason: 'locked'; until: Date };

const USERNAME = /^[a-z0-9][a-z0-9._-]{2,31}$/;

export function normalizeUsername(name: string): string {
  return name.trim().toLowerCase();
}

/** A hash no password matches, checked when the name is unknown so that the answer takes as long. */
let decoy: Promise<string> | null = null;

export async function createUser(
  db: Db,
  actor: Actor,
  input: { username: string; role: Role; password?: string; locale?: Locale },
): Promise<{ user: OperatorUser; password: string }> {
  const username = normalizeUsername(input.username);
  if (!USERNAME.test(username)) throw new UserError('usernameInvalid');
  const password = input.password ?? generatePassword();
  if (password.length < MIN_PASSWORD_LENGTH) throw new UserError('passwordShort');
  if (await db.operatorUser.findUnique({ where: { username } })) throw new UserError('usernameTaken');
  const user = await db.operatorUser
    .create({ data: { username, role: input.role, passwordHash: await hashPassword(password), locale: input.locale ?? 'ru' } })
    .catch((err: unknown) => {
      // Two admins adding the same name at once: the unique index decides.
      if ((err as { code?: string }).code === 'P2002') throw new UserError('usernameTaken');
      throw err;
    });
  await audit(db, actor, { action: 'user.create', objectType: 'user', objectId: username, after: { role: user.role } });
  return { user, password };
}

export async function authenticate(db: Db, usernameInput: string, password: string, now: Date): Promise<LoginResult> {
  const username = normalizeUsername(usernameInput);
  const user = await db.operatorUser.findUnique({ where: { username } });
  if (!user) {
    decoy ??= hashPassword(generatePassword());
    await verifyPassword(password, await decoy);
    return { ok: false, reason: 'invalid' };
  }
  if (user.lockedUntil && user.lockedUntil > now) return { ok: false, reason: 'locked', until: user.lockedUntil };
  const valid = await verifyPassword(password, user.passwordHash);
  if (valid && user.disabledAt) return { ok: false, reason: 'disabled' };
  if (valid) {
    const fresh = await db.operatorUser.update({ where: { id: user.id }, data: { failedLogins: 0, lockedUntil: null, lastLoginAt: now } });
    return { ok: true, user: fresh };
  }
  // Counted in the database (instances share it); the tenth in a row locks and starts over.
  const failed = await db.operatorUser.update({ where: { id: user.id }, data: { failedLogins: { increment: 1 } } });
  if (failed.failedLogins >= LOCK_AFTER_FAILURES) {
    const until = new Date(now.getTime() + LOCK_MINUTES * 60_000);
    await db.operatorUser.update({ where: { id: user.id }, data: { failedLogins: 0, lockedUntil: until } });
    await audit(
      db,
      { userId: null, username: 'system' },
      { action: 'user.locked', objectType: 'user', objectId: username, after: { lockedUntil: until.toISOString() } },
      now,
    );
    return { ok: false, reason: 'locked', until };
  }
  return { ok: false, reason: 'invalid' };
}

async function existing(db: Db, id: number): Promise<OperatorUser> {
  const user = await db.operatorUser.findUnique({ where: { id } });
  if (!user) throw new UserError('notFound');
  return user;
}

/** Some admin must remain able to sign in. */
async function keepAnAdmin(db: Db, user: OperatorUser): Promise<void> {
  if (user.role !== 'ADMIN' || user.disabledAt) return;
  const admins = await db.operatorUser.count({ where: { role: 'ADMIN', disabledAt: null } });
  if (admins <= 1) throw new UserError('lastAdmin');
}

export async function changeRole(db: Db, actor: Actor, id: number, role: Role, now: Date): Promise<void> {
  const user = await existing(db, id);
  if (user.role === role) return;
  if (role !== 'ADMIN') await keepAnAdmin(db, user);
  // A changed role takes effect at once: the person signs in again.
  await db.operatorUser.update({ where: { id }, data: { role, sessionsValidFrom: now } });
  await audit(db, actor, { action: 'user.role', objectType: 'user', objectId: user.username, before: { role: user.role }, after: { role } }, now);
}

export async function setDisabled(db: Db, actor: Actor, id: number, disabled: boolean, now: Date): Promise<void> {
  const user = await existing(db, id);
  if (disabled === (user.disabledAt !== null)) return;
  if (disabled) await keepAnAdmin(db, user);
  await db.operatorUser.update({
    where: { id },
    data: disabled ? { disabledAt: now, sessionsValidFrom: now } : { disabledAt: null, failedLogins: 0, lockedUntil: null },
  });
  await audit(db, actor, { action: disabled ? 'user.disable' : 'user.enable', objectType: 'user', objectId: user.username }, now);
}

/** A new generated password (returned once), the lock lifted, every session of the person ended. */
export async function resetPassword(db: Db, actor: Actor, id: number, now: Date): Promise<string> {
  const user = await existing(db, id);
  const password = generatePassword();
  await db.operatorUser.update({
    where: { id },
    data: { passwordHash: await hashPassword(password), failedLogins: 0, lockedUntil: null, sessionsValidFrom: now },
  });
  await audit(db, actor, { action: 'user.resetPassword', objectType: 'user', objectId: user.username }, now);
  return password;
}
