/**
 * Identification (docs/product.md §3.2): the proven phone must belong to a parent in the registry, then the
 * applicant's or a child's IIN is the second factor. Wrong IINs are counted per chat and per phone,
 * so neither a new chat nor another phone's chat gets a fresh set of attempts.
 */
import { Prisma, type Channel, type Locale } from '../generated/prisma/client.ts';
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

/** What a lock query reads: the failures in the window and the one whose expiry lifts the lock. */
interface LockRow {
  failures: number;
  /** The `maxAttempts`-th newest failure in the window (null when there are fewer). */
  releasing: Date | null;
}

/**
 * The columns of a LockRow, for a statement that reads more besides: failures of this chat or of
 * this phone within the lock window. Columns as in prisma/schema.prisma (IdentificationFailure).
 */
function lockColumns(limits: IdentificationLimits, chat: ChatRef, phone: string | null, now: Date): Prisma.Sql {
  const since = new Date(now.getTime() - limits.lockMinutes * MINUTE_MS);
  const mine = Prisma.sql`"createdAt" > ${since}::timestamp(3)
    AND ((channel = ${chat.channel}::"Channel" AND "chatId" = ${chat.chatId}) OR phone = ${phone}::text)`;
  return Prisma.sql`
    (SELECT count(*)::int FROM identification_failures WHERE ${mine}) AS failures,
    (SELECT "createdAt" FROM identification_failures WHERE ${mine}
      ORDER BY "createdAt" DESC OFFSET ${limits.maxAttempts - 1}::int LIMIT 1) AS releasing`;
}

/** Chats and phones identification is locked for right now (metrics): as many failures in the window as allowed. */
export async function activeLocks(db: Db, limits: IdentificationLimits, now: Date): Promise<{ chats: number; phones: number }> {
  const since = new Date(now.getTime() - limits.lockMinutes * MINUTE_MS);
  const [row] = await db.$queryRaw<{ chats: number; phones: number }[]>`
    SELECT
      (SELECT count(*)::int FROM (SELECT 1 FROM identification_failures WHERE "createdAt" > ${since}::timestamp(3)
        GROUP BY channel, "chatId" HAVING count(*) >= ${limits.maxAttempts}::int) c) AS chats,
      (SELECT count(*)::int FROM (SELECT 1 FROM identification_failures WHERE "createdAt" > ${since}::timestamp(3) AND phone IS NOT NULL
        GROUP BY phone HAVING count(*) >= ${limits.maxAttempts}::int) p) AS phones`;
  return row ?? { chats: 0, phones: 0 };
}

/**
 * The lock lasts until fewer than `maxAttempts` failures remain in the window: with exactly that
 * many, until the oldest of them expires.
 */
function lockOf(row: LockRow, limits: IdentificationLimits): LockState {
  if (row.failures < limits.maxAttempts || row.releasing === null) return { attemptsLeft: Math.max(0, limits.maxAttempts - row.failures), lockedUntil: null };
  return { attemptsLeft: 0, lockedUntil: new Date(row.releasing.getTime() + limits.lockMinutes * MINUTE_MS) };
}

async function lockState(db: Db, limits: IdentificationLimits, chat: ChatRef, phone: string | null, now: Date): Promise<LockState> {
  const [row] = await db.$queryRaw<LockRow[]>`SELECT ${lockColumns(limits, chat, phone, now)}`;
  return lockOf(row!, limits);
}

/** Is the phone in the registry, and is identification locked for this chat or phone? One statement. */
export async function identifyPhone(db: Db, limits: IdentificationLimits, args: ChatRef & { phone: string; now: Date }): Promise<PhoneIdentification> {
  const phone = normalizePhone(args.phone);
  const [row] = await db.$queryRaw<(LockRow & { found: boolean })[]>`
    SELECT ${lockColumns(limits, args, phone, args.now)},
      EXISTS (SELECT 1 FROM parents WHERE phone = ${phone}::text) AS found`;
  return { found: row!.found, lockedUntil: lockOf(row!, limits).lockedUntil };
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
  const parsed = parseIin(args.iin);
  const iin = phone !== null && parsed.ok ? parsed.iin : null;
  // The lock and the parent in one statement. Among the parents with the phone, the one whose own
  // IIN is typed wins over one with a child of that IIN (both unique, so at most two match).
  const [row] = await db.$queryRaw<(LockRow & { parentId: number | null })[]>`
    SELECT ${lockColumns(limits, args, phone, now)},
      (SELECT p.id FROM parents p
        WHERE p.phone = ${phone}::text
          AND (p.iin = ${iin}::text OR EXISTS (SELECT 1 FROM children c WHERE c."parentId" = p.id AND c.iin = ${iin}::text))
        ORDER BY p.iin = ${iin}::text DESC, p.id
        LIMIT 1) AS "parentId"`;
  const before = lockOf(row!, limits);
  if (before.lockedUntil !== null) return { outcome: 'locked', attemptsLeft: 0, lockedUntil: before.lockedUntil };
  const parentId = row!.parentId;

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

/**
 * The identification lock on a registry phone as the support desk sees it: failures counted for
 * the phone and for every chat that failed with it.
 */
export async function phoneLock(db: Db, limits: IdentificationLimits, phone: string, now: Date): Promise<LockState & { failures: number }> {
  const since = new Date(now.getTime() - limits.lockMinutes * MINUTE_MS);
  const [row] = await db.$queryRaw<LockRow[]>`
    WITH mine AS (
      SELECT "createdAt" FROM identification_failures f
      WHERE f."createdAt" > ${since}::timestamp(3)
        AND (f.phone = ${phone}::text OR EXISTS (SELECT 1 FROM identification_failures g
              WHERE g.phone = ${phone}::text AND g.channel = f.channel AND g."chatId" = f."chatId"))
    )
    SELECT (SELECT count(*)::int FROM mine) AS failures,
           (SELECT "createdAt" FROM mine ORDER BY "createdAt" DESC OFFSET ${limits.maxAttempts - 1}::int LIMIT 1) AS releasing`;
  return { ...lockOf(row!, limits), failures: row!.failures };
}

/** Lifts the lock (an operator who checked the parent's identity by phone): the failures are forgotten. */
export async function liftPhoneLock(db: Db, phone: string): Promise<number> {
  return db.$executeRaw`
    DELETE FROM identification_failures f
    WHERE f.phone = ${phone}::text
       OR EXISTS (SELECT 1 FROM identification_failures g WHERE g.phone = ${phone}::text AND g.channel = f.channel AND g."chatId" = f."chatId")`;
}
