/**
 * node-cron drives the campaign: the planner and the purge tick once a minute under leases (one
 * instance acts on each tick), the dispatcher every few seconds on every instance, and the inbox
 * of processed platform updates and the delivery statuses kept for unrecorded sends are pruned
 * hourly.
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { Core } from '../app.ts';
import type { Clock } from '../clock.ts';
import type { CampaignSettings } from '../config/env.ts';
import type { Logger } from '../log.ts';
import type { Db } from '../services/db.ts';
import { pruneInbound } from '../inbox/inbox.ts';
import { EARLY_STATUS_RETENTION_MS, settleEarlyStatuses } from './outbox/delivery-status.ts';
import { withLease } from './leases.ts';
import { planOutreach } from './outreach.ts';
import { refreshOutboxStatistics } from '../db/statistics.ts';
import { planReminders } from './planner.ts';
import { runPurge, seasonPurged, type PurgeResult } from './purge.ts';
import { dueReminder, isPurgeDue } from './schedule.ts';
import { currentSeason } from './seasons.ts';

export interface SchedulerDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  settings: CampaignSettings;
}

export const PLANNER_LEASE = 'campaign-planner';
export const PURGE_LEASE = 'campaign-purge';
/** A little under the one-minute tick: the tick stays taken, the next one is up for grabs. */
const LEASE_TTL_MS = 50_000;

export interface PlannerTickResult {
  ran: boolean;
  season: string | null;
  offsetDays: number | null;
  enqueued: number;
}

/** One planner tick: plan the due reminder of the current season, if any, under the lease. */
export async function plannerTick(deps: SchedulerDeps): Promise<PlannerTickResult> {
  const now = deps.clock.now();
  const season = await currentSeason(deps.db, now);
  const slot = season ? dueReminder(season, deps.settings, now) : null;
  if (!season || !slot) return { ran: false, season: season?.code ?? null, offsetDays: null, enqueued: 0 };
  const outcome = await withLease(deps.db, PLANNER_LEASE, deps.settings.instanceId, LEASE_TTL_MS, now, async () => {
    const linked = await planReminders(deps.db, { season, offsetDays: slot.offsetDays, now });
    const outreach = await planOutreach(deps.db, {
      season,
      offsetDays: slot.offsetDays,
      now,
      reach: deps.settings.reach,
      tier: deps.settings.whatsappTier,
      window: deps.settings.window,
    });
    await refreshOutboxStatistics(deps.db, linked + outreach.whatsapp + outreach.sms);
    return { linked, ...outreach };
  });
  if (!outcome.acquired) return { ran: false, season: season.code, offsetDays: slot.offsetDays, enqueued: 0 };
  const { linked, whatsapp, sms } = outcome.value;
  const enqueued = linked + whatsapp + sms;
  if (enqueued > 0)
    deps.logger.info({ season: season.code, offsetDays: slot.offsetDays, enqueued, linked, whatsappOutreach: whatsapp, sms }, 'reminders planned');
  return { ran: true, season: season.code, offsetDays: slot.offsetDays, enqueued };
}

/**
 * The automatic purge: once, when the current season's deadline has passed and it was never
 * purged (later runs are the operator's, `ops purge`). Null when nothing was due.
 */
export async function purgeTick(deps: SchedulerDeps): Promise<PurgeResult | null> {
  if (!deps.settings.purgeAtDeadline) return null;
  const now = deps.clock.now();
  const season = await currentSeason(deps.db, now);
  if (!season || !isPurgeDue(season, now) || (await seasonPurged(deps.db, season.id))) return null;
  const outcome = await withLease(deps.db, PURGE_LEASE, deps.settings.instanceId, LEASE_TTL_MS, now, async () => {
    // Another instance may have purged between the check above and the lease.
    if (await seasonPurged(deps.db, season.id)) return null;
    return runPurge(deps.db, { season, now, reach: deps.settings.reach });
  });
  if (!outcome.acquired || outcome.value === null) return null;
  deps.logger.info({ season: season.code, ...outcome.value }, 'purge at the deadline done');
  return outcome.value;
}

export interface SchedulerOptions {
  /** The dispatcher's tick, run on every instance. */
  dispatch?: () => Promise<void>;
  /** Removes expired console sessions (hourly, with the prunes). */
  sweepSessions?: () => Promise<unknown>;
  /** The registry folder sync (REGISTRY_IMPORT_DIR), under its lease: one instance imports. */
  registrySync?: () => Promise<unknown>;
  registrySyncCron?: string;
  /** Cron expressions (node-cron, seconds optional). */
  plannerCron?: string;
  purgeCron?: string;
  dispatchCron?: string;
  pruneCron?: string;
}

/**
 * Processed platform updates are kept long enough to recognise every redelivery (Meta retries a
 * webhook for up to 7 days, Telegram for about a day), then deleted: their ids are all that is left.
 */
export const INBOX_RETENTION_MS = 8 * 86_400_000;

/** No lease, like the inbox prune: applying a status twice changes nothing the first did not. */
async function sweepEarlyStatuses(deps: SchedulerDeps): Promise<void> {
  const now = deps.clock.now();
  const { applied, dropped } = await settleEarlyStatuses(deps.db, new Date(now.getTime() - EARLY_STATUS_RETENTION_MS), now);
  if (applied > 0) deps.logger.warn({ applied }, 'early delivery statuses applied by the sweep (their send recorder had failed)');
  if (dropped > 0) deps.logger.info({ dropped }, 'early delivery statuses of no outbox message dropped');
}

export interface RunningScheduler {
  /** Stops every task and waits for ticks in flight. */
  stop(): Promise<void>;
}

export function startScheduler(core: Pick<Core, 'config' | 'clock' | 'logger'> & { db: { prisma: Db } }, opts: SchedulerOptions = {}): RunningScheduler {
  const deps: SchedulerDeps = { db: core.db.prisma, clock: core.clock, logger: core.logger, settings: core.config.campaign };
  const inFlight = new Set<Promise<unknown>>();
  const guarded = (name: string, fn: () => Promise<unknown>) => () => {
    const p = fn().catch((err: unknown) => deps.logger.error({ err, task: name }, 'campaign task failed'));
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    return p;
  };
  const tasks: ScheduledTask[] = [
    cron.schedule(
      opts.plannerCron ?? '0 * * * * *',
      guarded('planner', () => plannerTick(deps)),
      { name: 'campaign-planner', noOverlap: true },
    ),
    cron.schedule(
      opts.purgeCron ?? '30 * * * * *',
      guarded('purge', () => purgeTick(deps)),
      { name: 'campaign-purge', noOverlap: true },
    ),
    // Idempotent deletes: no lease needed when two instances prune in the same minute.
    cron.schedule(
      opts.pruneCron ?? '17 * * * *',
      guarded('inbox-prune', () => pruneInbound(deps.db, new Date(deps.clock.now().getTime() - INBOX_RETENTION_MS))),
      { name: 'inbox-prune', noOverlap: true },
    ),
    cron.schedule(
      opts.pruneCron ?? '17 * * * *',
      guarded('early-status-sweep', () => sweepEarlyStatuses(deps)),
      { name: 'early-status-sweep', noOverlap: true },
    ),
  ];
  if (opts.sweepSessions) {
    // Expired console sessions are already refused; this only keeps the table small.
    tasks.push(
      cron.schedule(opts.pruneCron ?? '17 * * * *', guarded('console-session-sweep', opts.sweepSessions), { name: 'console-session-sweep', noOverlap: true }),
    );
  }
  if (opts.registrySync) {
    tasks.push(cron.schedule(opts.registrySyncCron ?? '45 * * * * *', guarded('registry-sync', opts.registrySync), { name: 'registry-sync', noOverlap: true }));
  }
  if (opts.dispatch) {
    tasks.push(cron.schedule(opts.dispatchCron ?? '*/5 * * * * *', guarded('dispatch', opts.dispatch), { name: 'campaign-dispatch', noOverlap: true }));
  }
  deps.logger.info({ instance: deps.settings.instanceId, dispatcher: Boolean(opts.dispatch) }, 'campaign scheduler started');
  let stopped: Promise<void> | undefined;
  return {
    stop: () =>
      (stopped ??= (async () => {
        for (const t of tasks) await t.destroy();
        await Promise.allSettled([...inFlight]);
      })()),
  };
}
