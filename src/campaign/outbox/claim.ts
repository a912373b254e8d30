/**
 * Claiming due outbox rows for one dispatcher, safely against every other instance.
 *
 * One statement: `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING`. Rows another
 * instance is claiming at the same moment are skipped, never waited for or taken twice. The same
 * SQL runs on the embedded database (PGlite is PostgreSQL; a single process there anyway).
 *
 * A claim counts as an attempt (attempts + 1 at claim time), so a message that crashes its sender
 * every time still ends FAILED after maxAttempts instead of looping forever.
 *
 * The at-least-once boundary: a row is SENDING from its claim until its result is written. If the
 * process dies in between, `releaseStale` puts it back to PENDING once its claim is older than the
 * lease, and it is sent again — a duplicate only if the platform had already accepted it.
 */
import type { Channel } from '../../generated/prisma/enums.ts';
import type { Db } from '../../services/db.ts';

export interface ClaimedRow {
  id: number;
  channel: Channel;
  chatId: string;
  parentId: number | null;
  kind: string;
  seasonId: number | null;
  offsetDays: number | null;
  /** On a claimed row: it must go as a WhatsApp template (closed window seen, or reserved). */
  viaTemplate: boolean;
  payload: unknown;
  /** Including this claim. */
  attempts: number;
}

export interface ClaimRequest {
  channel: Channel;
  limit: number;
  now: Date;
  instanceId: string;
  /** No second message to one recipient within this gap (WhatsApp's pair rate limit: ~6 s). */
  recipientGapMs: number;
}

export async function claimDue(db: Db, r: ClaimRequest): Promise<ClaimedRow[]> {
  if (r.limit <= 0) return [];
  const gapStart = new Date(r.now.getTime() - r.recipientGapMs);
  // Cost matters here: at thousands of sends a second the claim ran ~130 ms of database CPU per
  // batch (a sort of every waiting row, an anti-join over the whole table). Now it is an index walk
  // that stops at `limit`:
  // - ordered by "nextAttemptAt" alone, the (status, "nextAttemptAt") index yields the rows in
  //   order (rows due at the same moment come in index order, about insertion order);
  // - the recipients to skip (a message of theirs being sent, or sent within the gap) are read
  //   once per claim from the two small sets, each through its own index, and probed as a hash:
  //   a plan that cannot go wrong when statistics are stale (right after planning a campaign).
  //   A row with "sentAt" set is a SENT one (a send that fails later clears it); were it not, the
  //   recipient would only wait the gap.
  const rows = await db.$queryRaw<(ClaimedRow & { due: Date })[]>`
    WITH busy AS MATERIALIZED (
      SELECT "chatId" FROM outbox WHERE status = 'SENDING' AND channel = ${r.channel}::"Channel"
      UNION ALL
      SELECT "chatId" FROM outbox WHERE channel = ${r.channel}::"Channel" AND "sentAt" > ${gapStart}::timestamp(3)
    )
    UPDATE outbox SET status = 'SENDING', "claimedBy" = ${r.instanceId}, "claimedAt" = ${r.now}::timestamp(3), attempts = attempts + 1
    WHERE id IN (
      SELECT o.id FROM outbox o
      WHERE o.status = 'PENDING' AND o."nextAttemptAt" <= ${r.now}::timestamp(3) AND o.channel = ${r.channel}::"Channel"
        AND o."chatId" NOT IN (SELECT "chatId" FROM busy)
      ORDER BY o."nextAttemptAt"
      LIMIT ${r.limit}
      FOR UPDATE SKIP LOCKED
    )
    RETURNING id, channel, "chatId", "parentId", kind, "seasonId", "offsetDays", "viaTemplate", payload, attempts, "nextAttemptAt" AS due`;
  // RETURNING follows no order: the batch is sent (and the tier and the SMS budget given) in the
  // order the rows were due, which is how the planner puts the parents never reminded first.
  rows.sort((a, b) => a.due.getTime() - b.due.getTime() || a.id - b.id);
  return rows.map(({ due: _due, ...row }) => row);
}

/**
 * Claims older than the lease belong to a dead process (a live one finishes or abandons a send
 * well within it): back to PENDING, to be sent again. The caller's own claims are never taken —
 * rows waiting in its lanes for a rate slot may grow old, but they are not orphans. Returns how many.
 */
export async function releaseStale(db: Db, now: Date, leaseMs: number, instanceId: string): Promise<number> {
  const cutoff = new Date(now.getTime() - leaseMs);
  return db.$executeRaw`
    UPDATE outbox SET status = 'PENDING', "claimedBy" = NULL, "nextAttemptAt" = ${now}::timestamp(3)
    WHERE status = 'SENDING' AND "claimedAt" < ${cutoff}::timestamp(3) AND "claimedBy" IS DISTINCT FROM ${instanceId}`;
}

/**
 * Gives claimed rows back untried (a graceful stop, pacing, the tier cap): the claim's attempt is
 * not counted. `error` notes why they wait (null clears it).
 */
export async function unclaim(db: Db, ids: number[], instanceId: string, nextAttemptAt: Date, error: string | null = null): Promise<number> {
  if (ids.length === 0) return 0;
  return db.$executeRaw`
    UPDATE outbox SET status = 'PENDING', "claimedBy" = NULL, attempts = GREATEST(0, attempts - 1),
                      "nextAttemptAt" = ${nextAttemptAt}::timestamp(3), error = ${error}
    WHERE id = ANY(${ids}::int[]) AND status = 'SENDING' AND "claimedBy" = ${instanceId}`;
}

/**
 * What a crashed predecessor with this instance id (a fixed INSTANCE_ID survives restarts) still
 * held, given back at once: its sends may have gone out before the crash, so each claim stays
 * counted as an attempt (at-least-once, as `releaseStale`).
 */
export async function releasePredecessors(db: Db, instanceId: string, now: Date): Promise<number> {
  return db.$executeRaw`
    UPDATE outbox SET status = 'PENDING', "claimedBy" = NULL, "nextAttemptAt" = ${now}::timestamp(3)
    WHERE status = 'SENDING' AND "claimedBy" = ${instanceId}`;
}

/** Everything this instance still holds, given back (shutdown, after the sends in flight ended). */
export async function releaseMine(db: Db, instanceId: string, now: Date): Promise<number> {
  return db.$executeRaw`
    UPDATE outbox SET status = 'PENDING', "claimedBy" = NULL, attempts = GREATEST(0, attempts - 1), "nextAttemptAt" = ${now}::timestamp(3)
    WHERE status = 'SENDING' AND "claimedBy" = ${instanceId}`;
}

/** `unclaim` with a due time per row (the tier cap spreads rows over the freed places). */
export async function unclaimEach(db: Db, rows: { id: number; at: Date }[], instanceId: string, error: string | null): Promise<number> {
  if (rows.length === 0) return 0;
  const ids = rows.map((r) => r.id);
  const ms = rows.map((r) => r.at.getTime());
  return db.$executeRaw`
    UPDATE outbox o SET status = 'PENDING', "claimedBy" = NULL, attempts = GREATEST(0, o.attempts - 1),
                        "nextAttemptAt" = (to_timestamp(d.ms / 1000) AT TIME ZONE 'UTC'), error = ${error}
    FROM unnest(${ids}::int[], ${ms}::float8[]) AS d(id, ms)
    WHERE o.id = d.id AND o.status = 'SENDING' AND o."claimedBy" = ${instanceId}`;
}
