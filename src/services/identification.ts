/**
 * Identification (SPEC §3.2): the proven phone must belong to a parent in the registry, then the
 * applicant's or a child's IIN is the second factor. Wrong IINs are counted per chat and per phone,
 * so neither a new chat nor another phone's chat gets a fresh set of attempts.
 */
import type { Channel, Locale } from '../generated/prisma/client.ts';
import { parseIin } from '../domain/iin.ts';
import { normalizePhone } from '../domain/phone.ts';
import type { Db } from './db.ts';

export interface IdentificationLimits {
  maxAttempts: number;
  lockMinutes: number;
}

export interface ChatRef {
  channel: Channel;
  chatId: string;
}

export interface PhoneIdentification {
  found: boolean;
  lockedUntil: Date | null;
}

export interface IinVerification {
  /** `locked` also answers the attempt that used up the last try: the parent learns the wait at once. */
  outcome: 'ok' | 'mismatch' | 'locked';
  attemptsLeft: number;
  lockedUntil: Date | null;
  parentId?: number;
}

interface LockState {
  attemptsLeft: number;
  lockedUntil: Date | null;
}

const MINUTE_MS = 60_000;

/**
 * Failures of this chat or of this phone within the lock window. The lock lasts until fewer than
 * `maxAttempts` failures remain in the window: with exactly that many, until the oldest expires.
 */
async function lockState(db: Db, limits: IdentificationLimits, chat: ChatRef, phone: string | null, now: Date): Promise<LockState> {
  const windowMs = limits.lockMinutes * MINUTE_MS;
  const failures = await db.identificationFailure.findMany({
    where: {
      createdAt: { gt: new Date(now.getTime() - windowMs) },
      OR: [{ channel: chat.channel, chatId: chat.chatId }, ...(phone ? [{ phone }] : [])],
    },
    select: { createdAt: true },
    orderBy: { createdAt: 'asc' },
  });
  const count = failures.length;
  if (count < limits.maxAttempts) return { attemptsLeft: limits.maxAttempts - count, lockedUntil: null };
  const releasing = failures[count - limits.maxAttempts]!;
  return { attemptsLeft: 0, lockedUntil: new Date(releasing.createdAt.getTime() + windowMs) };
}

/** Is the phone in the registry, and is identification locked for this chat or phone? */
export async function identifyPhone(
  db: Db,
  limits: IdentificationLimits,
  args: ChatRef & { phone: string; now: Date },
): Promise<PhoneIdentification> {
  const phone = normalizePhone(args.phone);
  const lock = await lockState(db, limits, args, phone, args.now);
  const found = phone !== null && (await db.parent.count({ where: { phone } })) > 0;
  return { found, lockedUntil: lock.lockedUntil };
}

/**
 * The second factor. Among the parents with the phone, the one whose own IIN or a child's IIN is
 * the one typed; success links the chat to that parent (relinking a chat linked before). A
 * mismatch says nothing about where else the IIN might exist.
 */
export async function verifyIin(
  db: Db,
  limits: IdentificationLimits,
  args: ChatRef & { phone: string; iin: string; locale: Locale; now: Date },
): Promise<IinVerification> {
  const { channel, chatId, locale, now } = args;
  const phone = normalizePhone(args.phone);
  const before = await lockState(db, limits, args, phone, now);
  if (before.lockedUntil !== null) return { outcome: 'locked', attemptsLeft: 0, lockedUntil: before.lockedUntil };

  const parsed = parseIin(args.iin);
  const parentId = phone !== null && parsed.ok ? await findParentByIin(db, phone, parsed.iin) : null;

  if (parentId !== null) {
    // One statement, so atomic without a transaction; the language the parent just chose is the
    // best guess for messages they did not ask for. Columns as in prisma/schema.prisma (ChatLink, Parent).
    await db.$executeRaw`
      WITH linked AS (
        INSERT INTO chat_links (channel, "chatId", "parentId", locale, "verifiedAt")
        VALUES (${channel}::"Channel", ${chatId}, ${parentId}, ${locale}::"Locale", ${now}::timestamp(3))
        ON CONFLICT (channel, "chatId") DO UPDATE
          SET "parentId" = EXCLUDED."parentId", locale = EXCLUDED.locale, "verifiedAt" = EXCLUDED."verifiedAt", "unreachableAt" = NULL
      )
      UPDATE parents SET locale = ${locale}::"Locale" WHERE id = ${parentId}`;
    return { outcome: 'ok', attemptsLeft: before.attemptsLeft, lockedUntil: null, parentId };
  }

  await db.identificationFailure.create({ data: { channel, chatId, phone, createdAt: now } });
  const after = await lockState(db, limits, args, phone, now);
  if (after.lockedUntil !== null) return { outcome: 'locked', attemptsLeft: 0, lockedUntil: after.lockedUntil };
  return { outcome: 'mismatch', attemptsLeft: after.attemptsLeft, lockedUntil: null };
}

/** The parent's own IIN wins over a child's, should both somehow match different parents. */
async function findParentByIin(db: Db, phone: string, iin: string): Promise<number | null> {
  const candidates = await db.parent.findMany({
    where: { phone, OR: [{ iin }, { children: { some: { iin } } }] },
    select: { id: true, iin: true },
    orderBy: { id: 'asc' },
    take: 2,
  });
  const own = candidates.find((p) => p.iin === iin);
  return (own ?? candidates[0])?.id ?? null;
}
