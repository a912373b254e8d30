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
 * - otherwise WhatsApp at the registry phone, when they agreed to WhatsApp messages;
 * - SMS when they agreed to SMS and WhatsApp cannot reach them (no consent, opted out,
 *   undeliverable), and from `smsLastResortDays` before the deadline also when WhatsApp could
 *   but has not reached them this season (the tier cap may hold its templates back for days).
 *
 * Order: the tier cap (WhatsApp) and the daily budget (SMS) let through fewer than the audience;
 * the outbox sends in `nextAttemptAt` order, and the rows of parents never reminded this season are
 * due a second before those of parents already reminded, so the budget goes to them first. A later
 * offset's rows come before what an earlier offset left waiting, and the older row of the same
 * phone is dropped at send time (row-context.ts): the nearest deadline first, one message each.
 */
import { Prisma, type Season } from '../generated/prisma/client.ts';
import type { ReachSettings } from '../config/env.ts';
import type { Db } from '../services/db.ts';
import { OPENING_OFFSET, offsetTag, REMINDER } from './outbox-kinds.ts';

export interface OutreachRequest {
  season: Pick<Season, 'id' | 'validUntil'>;
  offsetDays: number;
  now: Date;
  reach: ReachSettings;
}

export interface OutreachPlanned {
  whatsapp: number;
  sms: number;
}

/** Rows of parents already reminded this season wait this much longer than those never reminded. */
export const REMINDED_LATER_MS = 1000;

/** The phone as the platforms address it: E.164 digits without "+". */
export const phoneAddress = (e164: string): string => e164.replace(/^\+/, '');

// "Reminded" is `id IN (…)` rather than a correlated EXISTS in the select list: PostgreSQL hashes
// the sub-select once instead of probing the outbox per parent (a national registry has a million).
export async function planOutreach(db: Db, r: OutreachRequest): Promise<OutreachPlanned> {
  const whatsapp = r.reach.whatsappOutreach ? await planWhatsApp(db, r) : 0;
  const sms = r.reach.sms ? await planSms(db, r) : 0;
  return { whatsapp, sms };
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
 * One row per parent chosen by `chosen` (over `parents p`, with extra columns `extra` for `keep`),
 * addressed to the registry phone on `channel`, due now, or a second later when already reminded.
 */
function insertOutreach(db: Db, { season, offsetDays, now }: OutreachRequest, channel: 'WHATSAPP' | 'SMS', chosen: Prisma.Sql, extra: Prisma.Sql, keep: Prisma.Sql): Promise<number> {
  const prefix = `reminder:${season.id}:${offsetTag(offsetDays)}:${channel}:`;
  const later = new Date(now.getTime() + REMINDED_LATER_MS);
  return db.$executeRaw`
    INSERT INTO outbox ("dedupeKey", channel, "chatId", "parentId", kind, "seasonId", "offsetDays", payload, status, "nextAttemptAt", "createdAt")
    SELECT ${prefix}::text || t.address, ${channel}::"Channel", t.address, t.id, ${REMINDER}::text, ${season.id}::int, ${offsetDays}::int,
           jsonb_build_object('offsetDays', ${offsetDays}::int, 'outreach', true), 'PENDING'::"OutboxStatus",
           CASE WHEN t.reminded THEN ${later}::timestamp(3) ELSE ${now}::timestamp(3) END, ${now}::timestamp(3)
    FROM (
      SELECT p.id, substr(p.phone, 2) AS address,
             p.id IN (SELECT s."parentId" FROM outbox s WHERE s."seasonId" = ${season.id}::int AND s.kind = ${REMINDER}::text AND s.status = 'SENT') AS reminded
             ${extra}
      FROM parents p
      WHERE ${chosen}
    ) t
    WHERE ${keep}
    ON CONFLICT ("dedupeKey") DO NOTHING`;
}

function planWhatsApp(db: Db, r: OutreachRequest): Promise<number> {
  const chosen = Prisma.sql`${reachable('WHATSAPP', r.season.id)} AND ${unlinkedNeedingExtension(r.season)}`;
  return insertOutreach(db, r, 'WHATSAPP', chosen, Prisma.empty, Prisma.sql`true`);
}

function planSms(db: Db, r: OutreachRequest): Promise<number> {
  // The opening-day reminder is never the last resort.
  const lastResort = r.offsetDays !== OPENING_OFFSET && r.offsetDays <= r.reach.smsLastResortDays;
  const chosen = Prisma.sql`${reachable('SMS', r.season.id)} AND ${unlinkedNeedingExtension(r.season)}`;
  const extra = Prisma.sql`,
    (${r.reach.whatsappOutreach}::boolean AND ${reachable('WHATSAPP', r.season.id)}) AS whatsapp_route,
    p.id IN (SELECT w."parentId" FROM outbox w WHERE w."seasonId" = ${r.season.id}::int AND w.kind = ${REMINDER}::text
               AND w.channel = 'WHATSAPP'::"Channel" AND w.status = 'SENT') AS whatsapp_reached`;
  return insertOutreach(db, r, 'SMS', chosen, extra, Prisma.sql`NOT t.whatsapp_route OR (${lastResort}::boolean AND NOT t.whatsapp_reached)`);
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
