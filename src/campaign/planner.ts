/**
 * Planning reminders into the outbox: one set-based statement per tick, idempotent through the
 * outbox's unique dedupe key, so re-running a tick or running it on several instances at once
 * enqueues nothing twice. And the send-time re-checks that drop reminders a parent no longer
 * needs.
 *
 * "Needs extension" is the conversation's own rule (services/seasons.ts needsExtension): an ACTIVE
 * application valid for less than the season grants.
 */
import { Prisma, type Season } from '../generated/prisma/client.ts';
import type { Db } from '../services/db.ts';
import { daysLeft } from './schedule.ts';
import { offsetTag, REMINDER } from './outbox-kinds.ts';

/** Only these channels can carry a business-initiated message (the console chat cannot). */
export const OUTBOUND_CHANNELS = ['TELEGRAM', 'WHATSAPP'] as const;

export interface PlanRequest {
  season: Pick<Season, 'id' | 'validUntil'>;
  offsetDays: number;
  now: Date;
}

/**
 * A chat link `cl` a reminder may go to: reachable, on a channel that carries business-initiated
 * messages, of a parent with an application needing extension who did not stop that channel.
 */
function remindable(season: Pick<Season, 'validUntil'>): Prisma.Sql {
  return Prisma.sql`cl."unreachableAt" IS NULL
      AND cl.channel IN ('TELEGRAM'::"Channel", 'WHATSAPP'::"Channel")
      AND EXISTS (
        SELECT 1 FROM applications a
        WHERE a."parentId" = cl."parentId" AND a.status = 'ACTIVE' AND a."validUntil" < ${season.validUntil}::timestamp(3)
      )
      AND NOT EXISTS (SELECT 1 FROM notification_opt_outs x WHERE x."parentId" = cl."parentId" AND x.channel = cl.channel)`;
}

/**
 * Enqueues one REMINDER per reachable chat link (Telegram, WhatsApp) of every parent with an
 * application needing extension who did not ask to stop messages on that channel (linking a chat
 * is consent for that chat). Returns how many rows were new.
 */
export async function planReminders(db: Db, { season, offsetDays, now }: PlanRequest): Promise<number> {
  const prefix = `reminder:${season.id}:${offsetTag(offsetDays)}:`;
  return db.$executeRaw`
    INSERT INTO outbox ("dedupeKey", channel, "chatId", "parentId", kind, "seasonId", "offsetDays", payload, status, "nextAttemptAt", "createdAt")
    SELECT ${prefix}::text || cl.channel::text || ':' || cl."chatId",
           cl.channel, cl."chatId", cl."parentId", ${REMINDER}::text, ${season.id}::int, ${offsetDays}::int,
           jsonb_build_object('offsetDays', ${offsetDays}::int), 'PENDING'::"OutboxStatus",
           ${now}::timestamp(3), ${now}::timestamp(3)
    FROM chat_links cl
    WHERE ${remindable(season)}
    ON CONFLICT ("dedupeKey") DO NOTHING`;
}

/** What a reminder says, computed at send time: null when it should not be sent any more. */
export interface ReminderData {
  /** Applications of the parent needing extension now. */
  count: number;
  deadline: Date;
  /** Almaty calendar days from now to the deadline (0 on the deadline's day). */
  daysLeft: number;
}

/**
 * The per-row send-time check: the content of this reminder as of `now`, or null when the parent
 * extended meanwhile, the season's deadline has passed or the row is not a reminder. Call it right
 * before sending (after claiming), then render with `buildNotification('REMINDER', data)`.
 */
export async function reminderContent(
  db: Db,
  row: { kind: string; parentId: number | null; seasonId: number | null },
  now: Date,
): Promise<ReminderData | null> {
  if (row.kind !== REMINDER || row.parentId === null || row.seasonId === null) return null;
  const season = await db.season.findUnique({ where: { id: row.seasonId }, select: { deadline: true, validUntil: true } });
  if (!season || now.getTime() >= season.deadline.getTime()) return null;
  const count = await db.application.count({
    where: { parentId: row.parentId, status: 'ACTIVE', validUntil: { lt: season.validUntil } },
  });
  return count === 0 ? null : { count, deadline: season.deadline, daysLeft: daysLeft(season.deadline, now) };
}

/** `reminderContent(...) !== null`. */
export async function stillNeedsReminder(db: Db, row: { kind: string; parentId: number | null; seasonId: number | null }, now: Date): Promise<boolean> {
  return (await reminderContent(db, row, now)) !== null;
}

/**
 * The set-based send-time check, for a dispatcher to run before claiming a batch: marks CANCELLED
 * every PENDING reminder (of one season, or all) whose parent no longer needs extension or whose
 * season's deadline has passed. Returns how many it cancelled. A parent extending between this
 * and the send is still caught by `reminderContent` on the claimed row.
 */
export async function cancelObsoleteReminders(db: Db, opts: { now: Date; seasonId?: number }): Promise<number> {
  const seasonFilter = opts.seasonId ?? null;
  return db.$executeRaw`
    UPDATE outbox o SET status = 'CANCELLED', error = 'reminder no longer needed'
    FROM seasons s
    WHERE o.kind = ${REMINDER}::text AND o.status = 'PENDING' AND s.id = o."seasonId"
      AND (${seasonFilter}::int IS NULL OR o."seasonId" = ${seasonFilter}::int)
      AND (
        s.deadline <= ${opts.now}::timestamp(3)
        OR NOT EXISTS (
          SELECT 1 FROM applications a
          WHERE a."parentId" = o."parentId" AND a.status = 'ACTIVE' AND a."validUntil" < s."validUntil"
        )
      )`;
}

/**
 * The support desk's "send the reminder again": one reminder now to each of the parent's reachable
 * chats, if the parent still needs to extend this season and has not opted out there. Its offset
 * is the days left, so the next planned reminder supersedes it as usual.
 */
export async function resendReminder(
  db: Db,
  { season, parentId, now }: { season: Pick<Season, 'id' | 'validUntil' | 'deadline'>; parentId: number; now: Date },
): Promise<number> {
  const left = daysLeft(season.deadline, now);
  const prefix = `reminder:${season.id}:resend:${parentId}:${now.getTime()}:`;
  return db.$executeRaw`
    INSERT INTO outbox ("dedupeKey", channel, "chatId", "parentId", kind, "seasonId", "offsetDays", payload, status, "nextAttemptAt", "createdAt")
    SELECT ${prefix}::text || cl.channel::text || ':' || cl."chatId",
           cl.channel, cl."chatId", cl."parentId", ${REMINDER}::text, ${season.id}::int, ${left}::int,
           jsonb_build_object('offsetDays', ${left}::int, 'resent', true), 'PENDING'::"OutboxStatus",
           ${now}::timestamp(3), ${now}::timestamp(3)
    FROM chat_links cl
    WHERE cl."parentId" = ${parentId}::int AND ${remindable(season)}
    ON CONFLICT ("dedupeKey") DO NOTHING`;
}
