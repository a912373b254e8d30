/**
 * The purge at the deadline (docs/product.md §5.3): every application still needing extension moves to the
 * stop-list in one set-based statement, recorded in purge_runs, and every reachable linked chat of
 * an affected parent gets one stop-list notice in the outbox — all in one transaction. An affected
 * parent no chat reaches gets the notice at the registry phone, as the reminders went (outreach.ts):
 * the WhatsApp template where they consented to WhatsApp, else an SMS where they consented to SMS.
 *
 * What the purge moves: ACTIVE applications whose validity ended by the deadline
 * (`validUntil <= deadline`). Extending sets validity to the season's `validUntil`, which is after
 * the deadline, so an extended application is never moved; an application still valid past the
 * deadline (say, registered mid-year) may be offered an extension but is not purged — it did not
 * lapse.
 *
 * Idempotent: a second run finds nothing to move and records nothing (count 0, purgeRunId null).
 * The first run of a season always records a row, even with count 0, so "this season was purged"
 * is a fact in the audit table (setSeason then refuses to move its deadline).
 */
import type { Season } from '../generated/prisma/client.ts';
import { TRANSACTION_OPTIONS, isTransactionClient, type Db } from '../services/db.ts';
import { formatAlmaty } from '../domain/almaty-time.ts';
import type { ReachSettings } from '../config/env.ts';
import { OUTBOUND_CHANNELS } from './planner.ts';
import { phoneOpen } from './outreach.ts';
import { STOPLIST_NOTICE } from './outbox-kinds.ts';
import { isPurgeDue } from './schedule.ts';

export type PurgeSeason = Pick<Season, 'id' | 'code' | 'deadline' | 'validUntil'>;

export interface PurgeResult {
  /** The audit row written, or null when this run changed nothing (a repeated purge). */
  purgeRunId: number | null;
  /** Applications moved to the stop-list. */
  count: number;
  /** Stop-list notices enqueued (one per reachable linked chat of an affected parent, or one to the registry phone). */
  notices: number;
}

export interface DryRunResult {
  count: number;
  parents: number;
}

export class PurgeRefusedError extends Error {
  constructor(season: PurgeSeason, now: Date) {
    super(
      `season ${season.code}: the purge is due at the deadline ${formatAlmaty(season.deadline)} (Almaty), it is ${formatAlmaty(now)} now; use force to purge earlier`,
    );
    this.name = 'PurgeRefusedError';
  }
}

/** One lock for everything that must not interleave with a purge (setSeason takes it too). */
export const PURGE_LOCK_SQL = `SELECT pg_advisory_xact_lock(hashtext('kq-purge'))`;

/** Purging a million rows takes seconds: more room than an ordinary transaction. */
const PURGE_TRANSACTION = { ...TRANSACTION_OPTIONS, timeout: 300_000 };

/** What `runPurge` would move now: applications and distinct parents. */
export async function purgeDryRun(db: Db, season: PurgeSeason, _now?: Date): Promise<DryRunResult> {
  const [row] = await db.$queryRaw<{ count: number; parents: number }[]>`
    SELECT count(*)::int AS count, count(DISTINCT "parentId")::int AS parents
    FROM applications
    WHERE status = 'ACTIVE' AND "validUntil" <= ${season.deadline}::timestamp(3)`;
  return { count: row?.count ?? 0, parents: row?.parents ?? 0 };
}

/** The dry run per district of the application's first-choice kindergarten (null: no choice recorded). */
export async function purgeDryRunByDistrict(db: Db, season: PurgeSeason): Promise<{ district: string | null; count: number }[]> {
  return db.$queryRaw<{ district: string | null; count: number }[]>`
    SELECT k.district, count(*)::int AS count
    FROM applications a
    LEFT JOIN application_choices c ON c."applicationId" = a.id AND c.rank = 1
    LEFT JOIN kindergartens k ON k.id = c."kindergartenId"
    WHERE a.status = 'ACTIVE' AND a."validUntil" <= ${season.deadline}::timestamp(3)
    GROUP BY k.district
    ORDER BY count DESC, k.district`;
}

export interface PurgeRequest {
  season: PurgeSeason;
  now: Date;
  /** The routes to registry phones that are on (CampaignSettings.reach); absent: linked chats only. */
  reach?: Pick<ReachSettings, 'whatsappOutreach' | 'sms'>;
  /** Purge before the deadline (an operator's explicit decision); default false. */
  force?: boolean;
}

export async function runPurge(db: Db, { season, now, force = false, reach }: PurgeRequest): Promise<PurgeResult> {
  if (!force && !isPurgeDue(season, now)) throw new PurgeRefusedError(season, now);
  const wa = reach?.whatsappOutreach ?? false;
  const sms = reach?.sms ?? false;
  const work = async (tx: Db): Promise<PurgeResult> => {
    await tx.$executeRawUnsafe(PURGE_LOCK_SQL);
    const earlier = await tx.purgeRun.count({ where: { seasonId: season.id } });
    const run = await tx.purgeRun.create({ data: { seasonId: season.id, startedAt: now, count: 0 }, select: { id: true } });

    // One statement: the UPDATE moves the applications, the INSERT reads what it moved (no second
    // scan) and writes one notice per reachable chat of each affected parent.
    const [moved] = await tx.$queryRaw<{ count: number; notices: number }[]>`
      WITH moved AS (
        UPDATE applications
        SET status = 'STOP_LISTED', "stopListedAt" = ${now}::timestamp(3), "purgeRunId" = ${run.id}::int
        WHERE status = 'ACTIVE' AND "validUntil" <= ${season.deadline}::timestamp(3)
        RETURNING "parentId", "queueNumber"
      ),
      affected AS (
        SELECT "parentId", array_agg("queueNumber" ORDER BY "queueNumber") AS numbers FROM moved GROUP BY "parentId"
      ),
      notices AS (
        INSERT INTO outbox ("dedupeKey", channel, "chatId", "parentId", kind, "seasonId", payload, status, "nextAttemptAt", "createdAt")
        SELECT ${`stoplist:${season.id}:`}::text || cl.channel::text || ':' || cl."chatId",
               cl.channel, cl."chatId", cl."parentId", ${STOPLIST_NOTICE}::text, ${season.id}::int,
               jsonb_build_object('purgeRunId', ${run.id}::int, 'queueNumbers', to_jsonb(p.numbers), 'stopListedAt', ${now.toISOString()}::text),
               'PENDING'::"OutboxStatus", ${now}::timestamp(3), ${now}::timestamp(3)
        FROM affected p
        JOIN chat_links cl ON cl."parentId" = p."parentId"
        WHERE cl."unreachableAt" IS NULL AND cl.channel::text IN (${OUTBOUND_CHANNELS[0]}, ${OUTBOUND_CHANNELS[1]})
        ON CONFLICT ("dedupeKey") DO NOTHING
        RETURNING 1
      ),
      -- One notice per registry phone (parents sharing a phone share it), as a reminder would go.
      to_phones AS (
        INSERT INTO outbox ("dedupeKey", channel, "chatId", "parentId", kind, "seasonId", payload, status, "nextAttemptAt", "createdAt")
        SELECT ${`stoplist:${season.id}:`}::text || r.channel || ':' || r.address,
               r.channel::"Channel", r.address, r."parentId", ${STOPLIST_NOTICE}::text, ${season.id}::int,
               jsonb_build_object('purgeRunId', ${run.id}::int, 'queueNumbers', to_jsonb(r.numbers), 'stopListedAt', ${now.toISOString()}::text, 'outreach', true),
               'PENDING'::"OutboxStatus", ${now}::timestamp(3), ${now}::timestamp(3)
        FROM (
          SELECT p."parentId", p.numbers, substr(pa.phone, 2) AS address,
                 CASE WHEN ${wa}::boolean AND ${phoneOpen('WHATSAPP', season.id)} THEN 'WHATSAPP'
                      WHEN ${sms}::boolean AND ${phoneOpen('SMS', season.id)} THEN 'SMS' END AS channel
          FROM affected p JOIN parents pa ON pa.id = p."parentId"
          WHERE (${wa}::boolean OR ${sms}::boolean)
            AND NOT EXISTS (SELECT 1 FROM chat_links cl WHERE cl."parentId" = p."parentId" AND cl."unreachableAt" IS NULL
                              AND cl.channel::text IN (${OUTBOUND_CHANNELS[0]}, ${OUTBOUND_CHANNELS[1]}))
        ) r
        WHERE r.channel IS NOT NULL
        ON CONFLICT ("dedupeKey") DO NOTHING
        RETURNING 1
      )
      SELECT (SELECT count(*) FROM moved)::int AS count, (SELECT count(*) FROM notices)::int + (SELECT count(*) FROM to_phones)::int AS notices`;
    const count = moved?.count ?? 0;
    const notices = moved?.notices ?? 0;

    if (count === 0 && earlier > 0) {
      await tx.purgeRun.delete({ where: { id: run.id } });
      return { purgeRunId: null, count: 0, notices };
    }
    await tx.purgeRun.update({ where: { id: run.id }, data: { count } });
    return { purgeRunId: run.id, count, notices };
  };
  return isTransactionClient(db) ? work(db) : db.$transaction(work, PURGE_TRANSACTION);
}

/** Whether this season's purge has run at least once. */
export async function seasonPurged(db: Db, seasonId: number): Promise<boolean> {
  return (await db.purgeRun.count({ where: { seasonId } })) > 0;
}
