/**
 * Figures that live in the database, read when Prometheus scrapes: the outbox backlog, the
 * WhatsApp tier, the current season's results and identification locks. One snapshot serves
 * every gauge of a scrape (prom-client collects them all at once; each awaits the same read).
 * The statements are the cheap, indexed ones (outbox by status, extensions by season and kind,
 * failures in the lock window).
 */
import { Gauge } from 'prom-client';
import type { Clock } from '../clock.ts';
import { tierUsage, delayedByTier } from '../campaign/outbox/tier-cap.ts';
import type { Db } from '../services/db.ts';
import { activeLocks, type IdentificationLimits } from '../services/identification.ts';
import { getCurrentSeason } from '../services/seasons.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from './metrics.ts';

export interface DatabaseGaugeSources {
  db: Db;
  clock: Clock;
  logger: Logger;
  identification: IdentificationLimits;
  /** null: unlimited. */
  whatsappTier: number | null;
}

interface Backlog {
  kind: string;
  channel: string;
  depth: number;
  oldest: number;
}

interface Snapshot {
  backlog: Backlog[];
  tierUsed: number;
  tierDelayed: number;
  season: { code: string; deadline: Date; extended: number; restored: number; stopListed: number } | null;
  locks: { chats: number; phones: number };
}

export function gaugesFromDatabase(metrics: Metrics, src: DatabaseGaugeSources): void {
  let inflight: Promise<Snapshot | null> | null = null;
  const snapshot = (): Promise<Snapshot | null> =>
    (inflight ??= read(src)
      .catch((err: unknown) => {
        src.logger.warn({ err }, 'metrics: reading the database figures failed');
        return null;
      })
      .finally(() => {
        inflight = null;
      }));
  const registers = [metrics.registry];
  // Refilled from the snapshot at each scrape, after a reset: a kind or channel whose backlog is gone must not keep its last value.
  const fromSnapshot = <L extends string>(name: string, help: string, labelNames: readonly L[], fill: (g: Gauge<L>, s: Snapshot) => void) =>
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers,
      async collect() {
        const s = await snapshot();
        if (!s) return;
        this.reset();
        fill(this, s);
      },
    });

  fromSnapshot(
    'kq_outbox_pending',
    'Campaign messages waiting (PENDING, including those deferred by quiet hours or the tier) or being sent (SENDING), per kind and channel',
    ['kind', 'channel'],
    (g, s) => s.backlog.forEach((b) => g.set({ kind: b.kind, channel: b.channel }, b.depth)),
  );
  fromSnapshot(
    'kq_outbox_oldest_due_seconds',
    'How long the oldest PENDING message that is due (its next attempt time passed) has been waiting; 0 when none is due, per kind and channel',
    ['kind', 'channel'],
    (g, s) => s.backlog.forEach((b) => g.set({ kind: b.kind, channel: b.channel }, b.oldest)),
  );
  fromSnapshot('kq_whatsapp_tier_used', 'Distinct users written to by WhatsApp template in the last 24 hours (what the messaging tier counts)', [], (g, s) =>
    g.set(s.tierUsed),
  );
  fromSnapshot('kq_whatsapp_tier_delayed', 'Campaign messages the WhatsApp tier holds back right now', [], (g, s) => g.set(s.tierDelayed));
  new Gauge({ name: 'kq_whatsapp_tier_limit', help: 'The configured WhatsApp messaging tier (WHATSAPP_TIER); -1 = unlimited', registers }).set(
    src.whatsappTier ?? -1,
  );
  fromSnapshot(
    'kq_season_applications',
    'Applications of the current season: extended, restored (distinct applications) and moved to the stop-list by the purge',
    ['season', 'result'],
    (g, s) => {
      if (!s.season) return;
      const season = s.season.code;
      g.set({ season, result: 'extended' }, s.season.extended);
      g.set({ season, result: 'restored' }, s.season.restored);
      g.set({ season, result: 'stop_listed' }, s.season.stopListed);
    },
  );
  fromSnapshot('kq_season_deadline_timestamp_seconds', "The current season's deadline (the purge moment), Unix time", ['season'], (g, s) => {
    if (s.season) g.set({ season: s.season.code }, s.season.deadline.getTime() / 1000);
  });
  fromSnapshot(
    'kq_identification_locks',
    'Chats and phones whose identification is locked right now (IIN_MAX_ATTEMPTS wrong IINs within IIN_LOCK_MINUTES)',
    ['by'],
    (g, s) => {
      g.set({ by: 'chat' }, s.locks.chats);
      g.set({ by: 'phone' }, s.locks.phones);
    },
  );
}

async function read(src: DatabaseGaugeSources): Promise<Snapshot> {
  const now = src.clock.now();
  const { db } = src;
  const backlog = await db.$queryRaw<Backlog[]>`
    SELECT kind, channel::text AS channel, count(*)::int AS depth,
      COALESCE(EXTRACT(EPOCH FROM (${now}::timestamp(3) - min("nextAttemptAt") FILTER (WHERE status = 'PENDING' AND "nextAttemptAt" <= ${now}::timestamp(3))))::float8, 0) AS oldest
    FROM outbox WHERE status IN ('PENDING', 'SENDING')
    GROUP BY kind, channel`;
  const season = await getCurrentSeason(db, now);
  const results = season
    ? await db.$queryRaw<{ extended: number; restored: number; stopListed: number }[]>`
        SELECT
          (SELECT count(DISTINCT "applicationId")::int FROM extensions WHERE "seasonId" = ${season.id} AND kind = 'EXTEND') AS extended,
          (SELECT count(DISTINCT "applicationId")::int FROM extensions WHERE "seasonId" = ${season.id} AND kind = 'RESTORE') AS restored,
          (SELECT COALESCE(sum(count), 0)::int FROM purge_runs WHERE "seasonId" = ${season.id}) AS "stopListed"`
    : [];
  const r = results[0];
  return {
    backlog,
    tierUsed: await tierUsage(db, now),
    tierDelayed: await delayedByTier(db, now),
    season: season && r ? { code: season.code, deadline: season.deadline, ...r } : null,
    locks: await activeLocks(db, src.identification, now),
  };
}
