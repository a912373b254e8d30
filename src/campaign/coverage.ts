/**
 * How much of the season's audience the campaign reached: every parent who needed to extend this
 * season (still needing it, or extended since), by the route that reached them (a linked chat, a
 * WhatsApp template to the registry phone, an SMS), and who is out of reach — asked to stop, or
 * no route at all. One statement over the outbox's sent reminders.
 */
import type { ReachSettings } from '../config/env.ts';
import type { Season } from '../generated/prisma/client.ts';
import type { Db } from '../services/db.ts';
import { REMINDER } from './outbox-kinds.ts';

export interface Coverage {
  /** Parents who needed to extend this season: still needing it, or extended since. */
  audience: number;
  /** Reached by at least one reminder delivered to the platform. */
  reached: number;
  byChat: number;
  byWhatsappOutreach: number;
  bySms: number;
  /** Asked to stop messages on at least one channel. */
  optedOut: number;
  /** Not reached, and no route left: no reachable chat, and no consented, working address. */
  unreachable: number;
  /** Reached, then extended (their first extension came after their first reminder). */
  reachedThenExtended: number;
  /** Extended this season, reached or not. */
  extended: number;
}

type Row = { [K in keyof Coverage]: number };

export async function campaignCoverage(db: Db, season: Pick<Season, 'id' | 'validUntil'>, reach: ReachSettings): Promise<Coverage> {
  const [row] = await db.$queryRaw<Row[]>`
    WITH extended AS (
      SELECT a."parentId" AS id, min(e."createdAt") AS at
      FROM extensions e JOIN applications a ON a.id = e."applicationId"
      WHERE e."seasonId" = ${season.id}::int AND e.kind = 'EXTEND'
      GROUP BY a."parentId"
    ), audience AS (
      SELECT a."parentId" AS id FROM applications a
      WHERE a.status = 'ACTIVE' AND a."validUntil" < ${season.validUntil}::timestamp(3)
      UNION
      SELECT id FROM extended
    ), sent AS (
      SELECT "parentId" AS id, min("sentAt") AS first,
             bool_or(channel IN ('TELEGRAM', 'WHATSAPP') AND coalesce(payload->>'outreach', '') <> 'true') AS chat,
             bool_or(channel = 'WHATSAPP' AND payload->>'outreach' = 'true') AS whatsapp,
             bool_or(channel = 'SMS') AS sms
      FROM outbox
      WHERE "seasonId" = ${season.id}::int AND kind = ${REMINDER}::text AND status = 'SENT' AND "parentId" IS NOT NULL
      GROUP BY "parentId"
    ), routes AS (
      SELECT au.id,
             EXISTS (SELECT 1 FROM chat_links cl WHERE cl."parentId" = au.id AND cl."unreachableAt" IS NULL AND cl.channel IN ('TELEGRAM', 'WHATSAPP')) AS chat,
             (${reach.whatsappOutreach}::boolean AND p."notifyWhatsapp" IS TRUE
               AND NOT EXISTS (SELECT 1 FROM notification_opt_outs x WHERE x."parentId" = au.id AND x.channel = 'WHATSAPP')
               AND NOT EXISTS (SELECT 1 FROM undeliverable_addresses u WHERE u.channel = 'WHATSAPP' AND u.address = substr(p.phone, 2) AND u."seasonId" = ${season.id}::int)) AS whatsapp,
             (${reach.sms}::boolean AND p."notifySms" IS TRUE
               AND NOT EXISTS (SELECT 1 FROM notification_opt_outs x WHERE x."parentId" = au.id AND x.channel = 'SMS')
               AND NOT EXISTS (SELECT 1 FROM undeliverable_addresses u WHERE u.channel = 'SMS' AND u.address = substr(p.phone, 2) AND u."seasonId" = ${season.id}::int)) AS sms,
             EXISTS (SELECT 1 FROM notification_opt_outs x WHERE x."parentId" = au.id) AS "optedOut"
      FROM audience au JOIN parents p ON p.id = au.id
    )
    SELECT count(*)::int AS audience,
           count(s.id)::int AS reached,
           count(*) FILTER (WHERE s.chat)::int AS "byChat",
           count(*) FILTER (WHERE s.whatsapp)::int AS "byWhatsappOutreach",
           count(*) FILTER (WHERE s.sms)::int AS "bySms",
           count(*) FILTER (WHERE r."optedOut")::int AS "optedOut",
           count(*) FILTER (WHERE s.id IS NULL AND NOT (r.chat OR r.whatsapp OR r.sms))::int AS unreachable,
           count(*) FILTER (WHERE s.id IS NOT NULL AND x.at > s.first)::int AS "reachedThenExtended",
           count(x.id)::int AS extended
    FROM routes r
    LEFT JOIN sent s ON s.id = r.id
    LEFT JOIN extended x ON x.id = r.id`;
  return row!;
}
