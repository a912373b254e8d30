/**
 * Campaign progress for operators: a handful of aggregate queries, each answered from indexes or
 * one scan, so it stays quick on a million applications.
 */
import type { ReachSettings } from '../config/env.ts';
import { campaignCoverage, type Coverage } from './coverage.ts';
import { TIER_CAP } from './outbox/tier-cap.ts';
import type { Season } from '../generated/prisma/client.ts';
import type { Db } from '../services/db.ts';
import { OPENING_OFFSET, REMINDER, STOPLIST_NOTICE } from './outbox-kinds.ts';

export interface OffsetProgress {
  /** Days before the deadline; OPENING_OFFSET (-1) for the opening-day reminder. */
  offsetDays: number;
  /** Distinct parents with at least one reminder of this offset sent. */
  parentsReminded: number;
  /** Rows planned for this offset, whatever became of them (cancelled ones included). */
  planned: number;
  messagesSent: number;
  failed: number;
  /** Planned and not yet sent (PENDING or SENDING). */
  pending: number;
}

export interface CampaignProgress {
  season: Pick<Season, 'id' | 'code' | 'opensAt' | 'deadline' | 'validUntil'>;
  at: Date;
  applicationsNeedingExtension: number;
  parentsNeedingExtension: number;
  /** Of the parents needing extension, those with a reachable chat we can write to. */
  parentsNeedingExtensionLinked: number;
  /** Parents with at least one application extended this season (EXTEND audit rows). */
  parentsExtended: number;
  applicationsExtended: number;
  /** Parents with a chat link, any and per channel. */
  linkedParents: { total: number; TELEGRAM: number; WHATSAPP: number };
  reminders: OffsetProgress[];
  /** Parents whose first EXTEND came after their first sent reminder of this season. */
  extendedAfterReminder: number;
  unreachableChats: number;
  /** This season's outbox rows by state (reminders and notices). */
  outbox: { pending: number; sending: number; sent: number; failed: number; cancelled: number };
  /**
   * WhatsApp rows of this season held back by the messaging-tier cap: PENDING, marked
   * `tier-cap` by the dispatcher (src/campaign/outbox/tier-cap.ts) and scheduled later than now.
   */
  delayedByTier: { rows: number; parents: number };
  stopListNotices: { planned: number; sent: number };
  /** Applications the purge moved (sum over the season's purge runs) and how many were restored since. */
  stopListedByPurge: number;
  purgeRuns: number;
  restored: number;
  /** Who the campaign reached, by route; present when the reach settings were given. */
  coverage?: Coverage;
}

type Row = Record<string, number>;

export async function campaignProgress(
  db: Db,
  season: Pick<Season, 'id' | 'code' | 'opensAt' | 'deadline' | 'validUntil'>,
  now: Date,
  reach?: ReachSettings,
): Promise<CampaignProgress> {
  const [need] = await db.$queryRaw<Row[]>`
    SELECT count(*)::int AS applications, count(DISTINCT a."parentId")::int AS parents
    FROM applications a
    WHERE a.status = 'ACTIVE' AND a."validUntil" < ${season.validUntil}::timestamp(3)`;

  const [needLinked] = await db.$queryRaw<Row[]>`
    SELECT count(DISTINCT cl."parentId")::int AS parents
    FROM chat_links cl
    WHERE cl."unreachableAt" IS NULL AND cl.channel IN ('TELEGRAM', 'WHATSAPP')
      AND EXISTS (SELECT 1 FROM applications a WHERE a."parentId" = cl."parentId" AND a.status = 'ACTIVE'
                  AND a."validUntil" < ${season.validUntil}::timestamp(3))`;

  const [extended] = await db.$queryRaw<Row[]>`
    SELECT count(DISTINCT e."applicationId")::int AS applications, count(DISTINCT a."parentId")::int AS parents
    FROM extensions e JOIN applications a ON a.id = e."applicationId"
    WHERE e."seasonId" = ${season.id}::int AND e.kind = 'EXTEND'`;

  const [restored] = await db.$queryRaw<Row[]>`
    SELECT count(DISTINCT e."applicationId")::int AS applications
    FROM extensions e WHERE e."seasonId" = ${season.id}::int AND e.kind = 'RESTORE'`;

  const [linked] = await db.$queryRaw<Row[]>`
    SELECT count(DISTINCT "parentId")::int AS total,
           count(DISTINCT "parentId") FILTER (WHERE channel = 'TELEGRAM')::int AS telegram,
           count(DISTINCT "parentId") FILTER (WHERE channel = 'WHATSAPP')::int AS whatsapp,
           count(*) FILTER (WHERE "unreachableAt" IS NOT NULL)::int AS unreachable
    FROM chat_links`;

  const reminders = await db.$queryRaw<{ offsetDays: number; parents: number; planned: number; sent: number; failed: number; pending: number }[]>`
    SELECT "offsetDays"::int AS "offsetDays",
           count(DISTINCT "parentId") FILTER (WHERE status = 'SENT')::int AS parents,
           count(*)::int AS planned,
           count(*) FILTER (WHERE status = 'SENT')::int AS sent,
           count(*) FILTER (WHERE status = 'FAILED')::int AS failed,
           count(*) FILTER (WHERE status IN ('PENDING', 'SENDING'))::int AS pending
    FROM outbox
    WHERE "seasonId" = ${season.id}::int AND kind = ${REMINDER}::text
    GROUP BY "offsetDays"`;

  const [after] = await db.$queryRaw<Row[]>`
    WITH first_reminder AS (
      SELECT "parentId", min("sentAt") AS at FROM outbox
      WHERE "seasonId" = ${season.id}::int AND kind = ${REMINDER}::text AND status = 'SENT' AND "parentId" IS NOT NULL
      GROUP BY "parentId"
    ),
    first_extension AS (
      SELECT a."parentId", min(e."createdAt") AS at
      FROM extensions e JOIN applications a ON a.id = e."applicationId"
      WHERE e."seasonId" = ${season.id}::int AND e.kind = 'EXTEND'
      GROUP BY a."parentId"
    )
    SELECT count(*)::int AS parents FROM first_reminder r JOIN first_extension x ON x."parentId" = r."parentId" WHERE x.at > r.at`;

  const [outbox] = await db.$queryRaw<Row[]>`
    SELECT count(*) FILTER (WHERE status = 'PENDING')::int AS pending,
           count(*) FILTER (WHERE status = 'SENDING')::int AS sending,
           count(*) FILTER (WHERE status = 'SENT')::int AS sent,
           count(*) FILTER (WHERE status = 'FAILED')::int AS failed,
           count(*) FILTER (WHERE status = 'CANCELLED')::int AS cancelled,
           count(*) FILTER (WHERE kind = ${STOPLIST_NOTICE}::text)::int AS notices,
           count(*) FILTER (WHERE kind = ${STOPLIST_NOTICE}::text AND status = 'SENT')::int AS "noticesSent",
           count(*) FILTER (WHERE channel = 'WHATSAPP' AND status = 'PENDING' AND error = ${TIER_CAP}
                            AND "nextAttemptAt" > ${now}::timestamp(3))::int AS "delayedRows",
           count(DISTINCT "parentId") FILTER (WHERE channel = 'WHATSAPP' AND status = 'PENDING' AND error = ${TIER_CAP}
                            AND "nextAttemptAt" > ${now}::timestamp(3))::int AS "delayedParents"
    FROM outbox WHERE "seasonId" = ${season.id}::int`;

  const [purge] = await db.$queryRaw<Row[]>`
    SELECT coalesce(sum(count), 0)::int AS moved, count(*)::int AS runs FROM purge_runs WHERE "seasonId" = ${season.id}::int`;

  const n = (r: Row | undefined, k: string) => r?.[k] ?? 0;
  const order = (o: number) => (o === OPENING_OFFSET ? Number.POSITIVE_INFINITY : o);
  return {
    season: { id: season.id, code: season.code, opensAt: season.opensAt, deadline: season.deadline, validUntil: season.validUntil },
    at: now,
    applicationsNeedingExtension: n(need, 'applications'),
    parentsNeedingExtension: n(need, 'parents'),
    parentsNeedingExtensionLinked: n(needLinked, 'parents'),
    parentsExtended: n(extended, 'parents'),
    applicationsExtended: n(extended, 'applications'),
    linkedParents: { total: n(linked, 'total'), TELEGRAM: n(linked, 'telegram'), WHATSAPP: n(linked, 'whatsapp') },
    reminders: reminders
      .map((r) => ({ offsetDays: r.offsetDays, parentsReminded: r.parents, planned: r.planned, messagesSent: r.sent, failed: r.failed, pending: r.pending }))
      .sort((a, b) => order(b.offsetDays) - order(a.offsetDays)),
    extendedAfterReminder: n(after, 'parents'),
    unreachableChats: n(linked, 'unreachable'),
    outbox: {
      pending: n(outbox, 'pending'),
      sending: n(outbox, 'sending'),
      sent: n(outbox, 'sent'),
      failed: n(outbox, 'failed'),
      cancelled: n(outbox, 'cancelled'),
    },
    delayedByTier: { rows: n(outbox, 'delayedRows'), parents: n(outbox, 'delayedParents') },
    stopListNotices: { planned: n(outbox, 'notices'), sent: n(outbox, 'noticesSent') },
    stopListedByPurge: n(purge, 'moved'),
    purgeRuns: n(purge, 'runs'),
    restored: n(restored, 'applications'),
    ...(reach ? { coverage: await campaignCoverage(db, season, reach) } : {}),
  };
}
