/**
 * Reaching parents the bots do not know yet. A parent who never wrote to a bot has no chat, but the
 * registry holds their phone and their consent (the application form's): the campaign's reminder
 * goes as WhatsApp's approved template to that phone, or — the last resort — as an SMS. Planned with
 * the linked chats' reminders, one set-based statement per route, idempotent through the outbox's
 * dedupe key (one row per season, offset, channel and phone: parents sharing a phone get one).
 *
 * Who gets what (each route only with the parent's consent, never after they asked to stop on it,
 * never to an address a platform refused as unreachable this season):
 * - a reachable linked chat: the linked reminder only (planner.ts) — nothing here;
 * - otherwise WhatsApp at the registry phone, when they agreed to WhatsApp messages and the tier
 *   lets a template through before the deadline;
 * - SMS when they agreed to SMS and no WhatsApp template is on its way to them (no consent, opted
 *   out, undeliverable, or beyond what the tier lets through this season), and from
 *   `smsLastResortDays` before the deadline also when WhatsApp will not reach them by tomorrow.
 *
 * Urgency under the tier: WhatsApp lets `tier` new recipients a day start a conversation. The
 * planner orders the audience — parents never reminded this season first, then the rest — and
 * spreads it over the sending days left: the first `tier` now, the next `tier` at tomorrow's window
 * opening, and so on up to the deadline. Each new offset plans afresh (the waiting rows of the
 * earlier one are dropped), so whoever is still unreached moves to the front, and the dispatcher
 * never churns through rows the tier cannot take today. The dispatcher's tier cap still guards the
 * rolling 24 hours (linked chats' templates count too). SMS are spread the same way, as many a day
 * as the daily budget of parts pays for (`smsPerDay`); the budget itself is kept by the notifier.
 */
import { Prisma, type Season } from '../generated/prisma/client.ts';
import type { ReachSettings } from '../config/env.ts';
import { addDays, fromAlmaty, toAlmaty } from '../domain/almaty-time.ts';
import type { Db } from '../services/db.ts';
import { OPENING_OFFSET, offsetTag, REMINDER } from './outbox-kinds.ts';
import { nextWindowOpening, type DaytimeWindow } from './schedule.ts';

export interface OutreachRequest {
  season: Pick<Season, 'id' | 'validUntil' | 'deadline'>;
  offsetDays: number;
  now: Date;
  reach: ReachSettings;
  /** WhatsApp's business-initiated conversations per 24 h; null: unlimited. */
  tier: number | null;
  window: DaytimeWindow;
}

export interface OutreachPlanned {
  whatsapp: number;
  sms: number;
}

/**
 * The language of a message to a parent the bots do not know yet (a template or an SMS to the
 * registry phone): the registry's, else Kazakh, the state language.
 */
export const REGISTRY_DEFAULT_LOCALE = 'kk' as const;

/** `error` of a waiting outreach row dropped because a later offset planned the phone afresh. */
export const REPLANNED = 'planned again for a later reminder';

/** The phone as the platforms address it: E.164 digits without "+". */
export const phoneAddress = (e164: string): string => e164.replace(/^\+/, '');

/**
 * The moments the campaign can send on, from `now` to the deadline: now (or the next window
 * opening), then each following day's window opening. Pure.
 */
export function sendingDays(now: Date, deadline: Date, window: DaytimeWindow): Date[] {
  const days: Date[] = [];
  const first = nextWindowOpening(now, window);
  if (first.getTime() >= deadline.getTime()) return days;
  days.push(first);
  for (let day = addDays(toAlmaty(first), 1); ; day = addDays(day, 1)) {
    const opening = fromAlmaty(day, window.startMinute);
    if (opening.getTime() >= deadline.getTime()) return days;
    days.push(opening);
  }
}

/**
 * An offset's outreach is planned once per sending day, at the first tick of the day's window: each
 * pass reads the whole registry (a million parents nationally), the rows it writes are due at the
 * day's window opening anyway, and what a later pass adds — parents imported or whose consent
 * arrived since, a chat found unreachable — is planned the next morning. The chats' reminders are
 * planned every tick.
 */
export async function planOutreach(db: Db, r: OutreachRequest): Promise<OutreachPlanned> {
  if (!r.reach.whatsappOutreach && !r.reach.sms) return { whatsapp: 0, sms: 0 };
  if (!(await takeTurn(db, `outreach:${r.season.id}:${offsetTag(r.offsetDays)}`, r.now, nextOpeningAfter(r.now, r.window)))) return { whatsapp: 0, sms: 0 };
  const whatsapp = r.reach.whatsappOutreach ? await planWhatsApp(db, r) : 0;
  const sms = r.reach.sms ? await planSms(db, r) : 0;
  return { whatsapp, sms };
}

/** The first window opening strictly after `now`: today's when the window has not opened yet, else tomorrow's. */
export function nextOpeningAfter(now: Date, window: DaytimeWindow): Date {
  const today = fromAlmaty(toAlmaty(now), window.startMinute);
  return today.getTime() > now.getTime() ? today : fromAlmaty(addDays(toAlmaty(now), 1), window.startMinute);
}

/**
 * True for the first caller until `next` (a row in scheduler_leases whose expiry is the next
 * turn): instances and ticks share it, one conditional upsert decides.
 */
async function takeTurn(db: Db, name: string, now: Date, next: Date): Promise<boolean> {
  const rows = await db.$queryRaw<{ one: number }[]>`
    INSERT INTO scheduler_leases (name, holder, "expiresAt") VALUES (${name}::text, 'planned', ${next}::timestamp(3))
    ON CONFLICT (name) DO UPDATE SET "expiresAt" = EXCLUDED."expiresAt" WHERE scheduler_leases."expiresAt" <= ${now}::timestamp(3)
    RETURNING 1 AS one`;
  return rows.length === 1;
}

/** `reachable` for a parent row `pa` of another statement (the purge's notices). */
export function phoneOpen(channel: 'WHATSAPP' | 'SMS', seasonId: number): Prisma.Sql {
  return Prisma.sql`EXISTS (SELECT 1 FROM parents p WHERE p.id = pa.id AND ${reachable(channel, seasonId)})`;
}

/** The parent may be written to at the registry phone on `channel`: consented, not stopped, not found dead this season. */
function reachable(channel: 'WHATSAPP' | 'SMS', seasonId: number): Prisma.Sql {
  const consent = channel === 'WHATSAPP' ? Prisma.sql`p."notifyWhatsapp"` : Prisma.sql`p."notifySms"`;
  return Prisma.sql`(${consent} IS TRUE
    AND NOT EXISTS (SELECT 1 FROM notification_opt_outs x WHERE x."parentId" = p.id AND x.channel = ${channel}::"Channel")
    AND NOT EXISTS (SELECT 1 FROM undeliverable_addresses u WHERE u.channel = ${channel}::"Channel" AND u.address = substr(p.phone, 2) AND u."seasonId" = ${seasonId}::int))`;
}

/** Parents still needing extension who have no chat a reminder reaches. */
function unlinkedNeedingExtension(season: OutreachRequest['season']): Prisma.Sql {
  return Prisma.sql`EXISTS (SELECT 1 FROM applications a WHERE a."parentId" = p.id AND a.status = 'ACTIVE' AND a."validUntil" < ${season.validUntil}::timestamp(3))
    AND NOT EXISTS (SELECT 1 FROM chat_links cl WHERE cl."parentId" = p.id AND cl."unreachableAt" IS NULL AND cl.channel IN ('TELEGRAM'::"Channel", 'WHATSAPP'::"Channel"))`;
}

/**
 * Parents who got a reminder this season, on any route, as a relation to LEFT JOIN on `p.id`. A
 * join, not `p.id IN (…)`: once the season's sent rows outgrow work_mem PostgreSQL probes an IN
 * list row by row (minutes at 200 000 parents), where a hash join only spills to disk.
 */
function remindedParents(seasonId: number): Prisma.Sql {
  return Prisma.sql`(SELECT DISTINCT s."parentId" AS id FROM outbox s WHERE s."seasonId" = ${seasonId}::int AND s.kind = ${REMINDER}::text AND s.status = 'SENT')`;
}

/** Waiting outreach rows of earlier offsets on `channel`: this offset plans those phones afresh. */
function dropWaiting(db: Db, r: OutreachRequest, channel: 'WHATSAPP' | 'SMS'): Promise<number> {
  return db.$executeRaw`
    UPDATE outbox SET status = 'CANCELLED', error = ${REPLANNED}
    WHERE "seasonId" = ${r.season.id}::int AND kind = ${REMINDER}::text AND status = 'PENDING' AND channel = ${channel}::"Channel"
      AND "offsetDays" <> ${r.offsetDays}::int AND payload->>'outreach' = 'true'`;
}

/**
 * One row per parent chosen by `chosen` (over `parents p`, extra columns `extra` for `keep`),
 * addressed to the registry phone on `channel`; the parents never reminded come first, `perDay`
 * of them due on each sending day (null: all now); those beyond the last day are not planned.
 */
function insertOutreach(
  db: Db,
  r: OutreachRequest,
  channel: 'WHATSAPP' | 'SMS',
  perDay: number | null,
  chosen: Prisma.Sql,
  extra: { columns: Prisma.Sql; joins: Prisma.Sql },
  keep: Prisma.Sql,
): Promise<number> {
  const { season, offsetDays, now } = r;
  const prefix = `reminder:${season.id}:${offsetTag(offsetDays)}:${channel}:`;
  const days = sendingDays(now, season.deadline, r.window);
  if (days.length === 0) return Promise.resolve(0);
  const quota = perDay ?? Number.MAX_SAFE_INTEGER;
  return db.$executeRaw`
    INSERT INTO outbox ("dedupeKey", channel, "chatId", "parentId", kind, "seasonId", "offsetDays", payload, status, "nextAttemptAt", "createdAt")
    SELECT ${prefix}::text || t.address, ${channel}::"Channel", t.address, t.id, ${REMINDER}::text, ${season.id}::int, ${offsetDays}::int,
           jsonb_build_object('offsetDays', ${offsetDays}::int, 'outreach', true), 'PENDING'::"OutboxStatus",
           (${days}::timestamp(3)[])[t.rank / ${quota}::bigint + 1], ${now}::timestamp(3)
    FROM (
      SELECT q.*, row_number() OVER (ORDER BY q.reminded, q.id) - 1 AS rank
      FROM (
        SELECT p.id, substr(p.phone, 2) AS address, rem.id IS NOT NULL AS reminded ${extra.columns}
        FROM parents p
        LEFT JOIN ${remindedParents(season.id)} rem ON rem.id = p.id
        ${extra.joins}
        WHERE ${chosen}
      ) q
      WHERE ${keep}
    ) t
    WHERE t.rank < ${quota}::bigint * ${days.length}::bigint
    ON CONFLICT ("dedupeKey") DO NOTHING`;
}

async function planWhatsApp(db: Db, r: OutreachRequest): Promise<number> {
  await dropWaiting(db, r, 'WHATSAPP');
  const chosen = Prisma.sql`${reachable('WHATSAPP', r.season.id)} AND ${unlinkedNeedingExtension(r.season)}`;
  return insertOutreach(db, r, 'WHATSAPP', r.tier, chosen, { columns: Prisma.empty, joins: Prisma.empty }, Prisma.sql`true`);
}

async function planSms(db: Db, r: OutreachRequest): Promise<number> {
  await dropWaiting(db, r, 'SMS');
  // The opening-day reminder is never the last resort.
  const lastResort = r.offsetDays !== OPENING_OFFSET && r.offsetDays <= r.reach.smsLastResortDays;
  const chosen = Prisma.sql`${reachable('SMS', r.season.id)} AND ${unlinkedNeedingExtension(r.season)}`;
  // A WhatsApp template is on its way when the planner (above, this tick) gave the phone a row; it
  // reaches the parent soon when it went already or goes before the next sending day.
  const days = sendingDays(r.now, r.season.deadline, r.window);
  const soon = days[1] ?? r.season.deadline;
  const whatsapp = Prisma.sql`(SELECT w."parentId" AS id, bool_or(w."nextAttemptAt" < ${soon}::timestamp(3)) AS soon
    FROM outbox w WHERE w."seasonId" = ${r.season.id}::int AND w.kind = ${REMINDER}::text
      AND w.channel = 'WHATSAPP'::"Channel" AND w.status IN ('PENDING', 'SENDING', 'SENT') AND w.payload->>'outreach' = 'true'
    GROUP BY w."parentId")`;
  const extra = {
    columns: Prisma.sql`, wa.id IS NOT NULL AS whatsapp_coming, coalesce(wa.soon, false) AS whatsapp_soon`,
    joins: Prisma.sql`LEFT JOIN ${whatsapp} wa ON wa.id = p.id`,
  };
  return insertOutreach(db, r, 'SMS', r.reach.smsPerDay, chosen, extra, Prisma.sql`NOT q.whatsapp_coming OR (${lastResort}::boolean AND NOT q.whatsapp_soon)`);
}

/** A row for a registry phone rather than a linked chat (a WhatsApp template to an unlinked parent, an SMS). */
export function isOutreach(row: { channel: string; payload: unknown }): boolean {
  return row.channel === 'SMS' || (typeof row.payload === 'object' && row.payload !== null && (row.payload as { outreach?: unknown }).outreach === true);
}

/**
 * An address a platform refused as unreachable (WhatsApp 131026, an invalid SMS number): not
 * planned again on that channel this season.
 */
export async function recordUndeliverable(db: Db, r: { channel: 'WHATSAPP' | 'SMS'; address: string; seasonId: number; code: string }): Promise<void> {
  await db.$executeRaw`
    INSERT INTO undeliverable_addresses (channel, address, "seasonId", code)
    VALUES (${r.channel}::"Channel", ${r.address}, ${r.seasonId}::int, ${r.code})
    ON CONFLICT DO NOTHING`;
}

/**
 * A later delivery report (a failed status webhook) found an address unreachable: recorded for every
 * season it was written to as outreach, so neither a waiting row nor a later plan tries it again.
 */
export async function recordUndeliverableAddress(db: Db, channel: 'WHATSAPP' | 'SMS', address: string, code: string): Promise<number> {
  return db.$executeRaw`
    INSERT INTO undeliverable_addresses (channel, address, "seasonId", code)
    SELECT DISTINCT o.channel, o."chatId", o."seasonId", ${code}
    FROM outbox o
    WHERE o.channel = ${channel}::"Channel" AND o."chatId" = ${address} AND o."seasonId" IS NOT NULL
      AND (o.channel = 'SMS'::"Channel" OR o.payload->>'outreach' = 'true')
    ON CONFLICT DO NOTHING`;
}
