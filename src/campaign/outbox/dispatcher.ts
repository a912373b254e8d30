/**
 * The outbox dispatcher: claims due rows, sends each at a rate slot through its channel's sender,
 * records the outcome. Runs on every instance; the claim (SKIP LOCKED), the shared rate bucket and
 * the tier reservation make the instances behave as one sender.
 *
 * Crash safety — the at-least-once boundary:
 * - a row is PENDING until claimed, SENDING from the claim until its outcome is written;
 * - a send lane is busy from its send until the send's outcome is in the database. SENT outcomes
 *   are group-committed (`SentRecorder`: the results that finished within ~10 ms, one UPDATE; for
 *   WhatsApp then one look for delivery statuses that overtook them), and the lane waits for that
 *   commit before it takes its next message; other outcomes are written one row each, also before
 *   the lane is free;
 * - killed at any moment, a process loses nothing: its SENDING rows go back to PENDING once the
 *   claim is older than the lease (`releaseStale`, run by every dispatcher each tick) and are sent
 *   then; rows it claimed but had not yet sent are merely sent later;
 * - a message is sent twice only if the platform accepted it and the process died before its SENT
 *   was committed: "in flight" = sent or being sent, not yet recorded — at most one per lane
 *   (`lanes: 1` → at most one message), however results are batched, because a lane never starts
 *   a send while its previous one is unrecorded. Neither the Telegram Bot API nor the WhatsApp
 *   Cloud API has an idempotency key for sends, so that one cannot be deduplicated by the platform.
 * A graceful stop sends nothing new, lets the sends in flight finish and gives every row this
 * instance still holds back to PENDING at once.
 *
 * Reminders are checked at send time, for the whole claimed batch at once (row-context.ts): a
 * reminder superseded by a later one of its season is cancelled; a reminder for a busy chat, or
 * claimed outside the daytime window, is given back untried until the chat is quiet and the
 * window open (busy-chats.ts). Stop-list notices are never held.
 *
 * A channel may keep its own limits (SMS: a daily budget of parts, the daytime window for every
 * kind): its sender defers what may not go yet — a whole batch before any send slot is taken
 * (`deferred`), or one message at its send (`defer`) — given back untried, the attempt not
 * counted. Rows addressed to a registry phone instead of a linked chat (SMS) take their language
 * and deep link from `deepLinks` (deep-links.ts).
 */
import type { Channel } from '../../generated/prisma/enums.ts';
import type { Logger } from '../../log.ts';
import type { Clock } from '../../clock.ts';
import type { Db } from '../../services/db.ts';
import { isOutreach, recordUndeliverable, REGISTRY_DEFAULT_LOCALE } from '../outreach.ts';
import { cancelObsoleteReminders } from '../planner.ts';
import { reminderHold, type HoldReason } from '../busy-chats.ts';
import { AWAITING_WINDOW, isSupportKind, REMINDER, registryEventOf, SUPPORT_NUDGE } from '../outbox-kinds.ts';
import { registryHold, URGENT_WINDOW } from '../quiet-hours.ts';
import type { DaytimeWindow } from '../schedule.ts';
import type { Message } from '../../conversation/core/io.ts';
import type { NotificationContent } from '../notifications.ts';
import { asSendFailure, type Notification, type NotificationSender, type SendFailure, type TemplateCall } from '../senders.ts';
import { DEFAULT_BACKOFF, retryDelayMs, type BackoffPolicy } from './backoff.ts';
import { claimDue, releaseMine, releasePredecessors, releaseStale, unclaim, unclaimEach, type ClaimedRow } from './claim.ts';
import { compose, reminderContents, type TemplateCatalog } from './compose.ts';
import { ensureBucket, pauseBucket, takeSlots, type RateSpec } from './rate-limit.ts';
import type { DeepLinkResolver } from './deep-links.ts';
import { markCancelled, markChatUnreachable, markFailed, markRetry, SentRecorder } from './results.ts';
import { rowContexts, SUPERSEDED, type RowContext } from './row-context.ts';
import { reserveTemplateSends, TIER_CAP } from './tier-cap.ts';

export interface DispatcherSettings {
  /** Sends per second per channel, for the whole deployment. */
  ratePerSecond: { TELEGRAM: number; WHATSAPP: number; SMS?: number };
  /** Business-initiated WhatsApp conversations per rolling 24 h; null = unlimited. */
  whatsappTier: number | null;
  maxAttempts: number;
  /** Rows claimed at once (at most; the rate grants fewer when busy). Default 100. */
  batchSize?: number;
  /** Sends in flight at once per channel on this instance; default: enough for 200 ms latency at the rate. */
  lanes?: number;
  /** A SENDING claim older than this belongs to a dead process. Default 2 min. */
  leaseMs?: number;
  /** Rate slots are booked at most this far ahead. Default 1 s. */
  horizonMs?: number;
  /** Fraction of the rate kept unused, for network jitter between the send slot and the platform. Default 0.03. */
  headroom?: number;
  /** Least gap between two messages to one recipient. Default WhatsApp 6 s (pair rate limit), Telegram 1 s. */
  recipientGapMs?: Partial<Record<Channel, number>>;
  /** After a failure an operator must fix (token, template), the channel rests this long. Default 10 min. */
  fatalPauseMs?: number;
  backoff?: BackoffPolicy;
  /** How often the set-based obsolete-reminder sweep runs. Default 30 s. */
  obsoleteSweepMs?: number;
  /** Reminders go only inside it (Asia/Almaty), and not to a busy chat (busy-chats.ts). */
  window: DaytimeWindow;
  /** Urgent registry notices (a referral) go only inside it; default 07:00–23:00 (quiet-hours.ts). */
  urgentWindow?: DaytimeWindow;
}

export interface DispatcherOptions {
  prisma: Db;
  dbKind: 'embedded' | 'postgres';
  senders: NotificationSender[];
  settings: DispatcherSettings;
  clock: Clock;
  logger: Logger;
  instanceId: string;
  /** The channel's approved templates per kind (WhatsApp); see bots/whatsapp/notifier.ts. */
  templates?: TemplateCatalog;
  /** The deep link of each row addressed to a registry phone rather than a linked chat (src/links). */
  deepLinks?: DeepLinkResolver;
  /** Waiting (tests with a manual clock pass one that advances it). */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Told of each message the platform accepted (the metrics' sends per second). */
  onSent?: (channel: NotificationSender['channel'], kind: string) => void;
}

export interface TickStats {
  sent: number;
  retried: number;
  failed: number;
  cancelled: number;
  deferred: number;
}

export interface Dispatcher {
  /** Sends everything due now (batch after batch) and resolves when nothing due is left or on stop. Calls during a run join it. */
  tick(): Promise<TickStats>;
  /** No new sends; waits for those in flight; gives back every row this instance holds. */
  stop(): Promise<void>;
}

/** SMS sends per second when the configuration names none: well under any provider's limit. */
const DEFAULT_SMS_RATE = 10;

const DEFAULT_GAP: Record<Channel, number> = { WHATSAPP: 6_000, TELEGRAM: 1_000, CONSOLE: 0, SMS: 60_000 };

interface Item {
  row: ClaimedRow;
  send: () => Promise<void>;
  /** The slot passed too long ago (this process was busy): give the row back untried. */
  skip: () => Promise<void>;
}

/**
 * The outbox dispatcher of this instance, over the senders of the channels that are on. Nothing
 * runs until `tick()`: each tick sends everything due (batch after batch, at the shared rate) and
 * resolves with what happened; the campaign scheduler ticks it every 5 s. `stop()` is the
 * graceful drain: no new sends, the ones in flight finish, every row held goes back to PENDING.
 * Rows are written by the planner and the purge (reminders, stop-list notices), never here.
 *
 * @example
 * ```ts
 * import { systemClock } from '../../clock.ts';
 * import { loadConfig } from '../../config/env.ts';
 * import type { PrismaClient } from '../../generated/prisma/client.ts';
 * import { createLogger } from '../../log.ts';
 * import type { NotificationSender } from '../senders.ts';
 * import { createDispatcher } from './dispatcher.ts';
 *
 * declare const prisma: PrismaClient; // (await openDatabase(…)).prisma, src/db/client.ts
 * declare const telegram: NotificationSender; // a channel's notifier, e.g. bots/telegram/notifier.ts
 * const config = loadConfig();
 * const dispatcher = createDispatcher({
 *   prisma,
 *   dbKind: 'postgres',
 *   senders: [telegram],
 *   settings: config.campaign,
 *   clock: systemClock,
 *   logger: createLogger().child({ component: 'outbox' }),
 *   instanceId: config.campaign.instanceId,
 * });
 * const { sent, retried, failed, cancelled, deferred } = await dispatcher.tick();
 * // …and on SIGTERM:
 * await dispatcher.stop();
 * ```
 * The process's own assembly, with every channel's sender and the WhatsApp templates:
 * `createOutboxDispatcher` in bots/outbox.ts.
 */
export function createDispatcher(opts: DispatcherOptions): Dispatcher {
  return new OutboxDispatcher(opts);
}

class OutboxDispatcher implements Dispatcher {
  private running: Promise<TickStats> | null = null;
  private stopping = false;
  private wake: (() => void) | null = null;
  private readonly stopped: Promise<void>;
  private lastSweep = -Infinity;
  private readonly s: Required<Omit<DispatcherSettings, 'recipientGapMs' | 'lanes' | 'whatsappTier' | 'urgentWindow'>> &
    Pick<DispatcherSettings, 'lanes' | 'whatsappTier'>;
  private readonly urgentWindow: DaytimeWindow;
  private readonly gaps: Record<Channel, number>;
  private bucketsReady: Promise<void> | null = null;
  private predecessorReleased = false;
  private readonly recorder: SentRecorder;

  constructor(private readonly o: DispatcherOptions) {
    const st = o.settings;
    this.s = {
      ratePerSecond: st.ratePerSecond,
      whatsappTier: st.whatsappTier,
      maxAttempts: st.maxAttempts,
      batchSize: st.batchSize ?? 100,
      lanes: st.lanes,
      leaseMs: st.leaseMs ?? 120_000,
      horizonMs: st.horizonMs ?? 1_000,
      headroom: st.headroom ?? 0.03,
      fatalPauseMs: st.fatalPauseMs ?? 10 * 60_000,
      backoff: st.backoff ?? DEFAULT_BACKOFF,
      obsoleteSweepMs: st.obsoleteSweepMs ?? 30_000,
      window: st.window,
    };
    this.gaps = { ...DEFAULT_GAP, ...st.recipientGapMs };
    this.urgentWindow = st.urgentWindow ?? URGENT_WINDOW;
    this.stopped = new Promise((resolve) => (this.wake = resolve));
    this.recorder = new SentRecorder(o.prisma, o.instanceId, {
      onStatusError: (err) => o.logger.error({ err }, 'outbox: early delivery statuses not applied; the hourly sweep applies them'),
    });
  }

  tick(): Promise<TickStats> {
    if (this.stopping) return Promise.resolve(emptyStats());
    this.running ??= this.run().finally(() => (this.running = null));
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.running?.catch(() => undefined);
    const released = await releaseMine(this.o.prisma, this.o.instanceId, this.o.clock.now());
    if (released > 0) this.o.logger.info({ released }, 'outbox: claimed rows given back on stop');
  }

  // ——— one run ———

  private async run(): Promise<TickStats> {
    const stats = emptyStats();
    const { prisma, clock, logger } = this.o;
    const now = clock.now();
    this.bucketsReady ??= Promise.all(this.o.senders.map((s) => ensureBucket(prisma, s.channel, now))).then(() => undefined);
    await this.bucketsReady;
    // A fixed INSTANCE_ID survives restarts: what this id held before the first run here is a
    // crashed predecessor's, not ours.
    let stale = await releaseStale(prisma, now, this.s.leaseMs, this.o.instanceId);
    if (!this.predecessorReleased) {
      this.predecessorReleased = true;
      stale += await releasePredecessors(prisma, this.o.instanceId, now);
    }
    if (stale > 0) logger.warn({ rows: stale }, 'outbox: claims of a dead process released; they are sent again (at-least-once)');
    if (now.getTime() - this.lastSweep >= this.s.obsoleteSweepMs) {
      this.lastSweep = now.getTime();
      const obsolete = await cancelObsoleteReminders(prisma, { now });
      stats.cancelled += obsolete;
    }
    await Promise.all(this.o.senders.map((sender) => this.drain(sender, stats)));
    return stats;
  }

  /** Sends one channel's due rows until none is left (or the channel must rest). */
  private async drain(sender: NotificationSender, stats: TickStats): Promise<void> {
    const { prisma, clock } = this.o;
    const channel = sender.channel;
    const rate = (this.s.ratePerSecond[channel] ?? DEFAULT_SMS_RATE) * (1 - this.s.headroom);
    const spec: RateSpec = { key: channel, ratePerSecond: rate, horizonMs: this.s.horizonMs };
    const lanes = Math.max(1, this.s.lanes ?? Math.min(64, Math.ceil(rate * 0.2)));
    const paused = { until: 0 };
    // A send later than this after its slot could crowd a one-second window past the rate: the
    // headroom pays for it (a window of 1 s holds rate·(1−h)·(1 + late) + 1 sends at most). At
    // low rates (SMS, ≤ 20 a second) that bound is below a timer's jitter on a busy machine and
    // every send would be given back; there 50 ms late adds at most one message to a second.
    const maxLateMs = Math.max(rate <= 20 ? 50 : 2, this.s.headroom * 1000 - 1000 / rate);
    const pool = new SendPool({
      lanes,
      // Slots for a quarter of the lanes per statement (not one per freed lane): at thousands of
      // sends a second the bucket's UPDATE was as costly as the send itself.
      minTake: Math.max(1, Math.floor(lanes / 4)),
      maxLateMs,
      clock,
      stopping: () => this.stopping || paused.until !== 0,
      // Slots are taken only for idle lanes, right before use: a busy process never books the rate away from the others.
      take: async (n) => (await takeSlots(prisma, spec, n, clock.now())).slots,
      idle: () => this.sleep(Math.max(2, Math.ceil(1000 / rate))),
      untilSlot: (ms) => (this.o.sleep ? this.o.sleep(ms) : new Promise((r) => setTimeout(r, ms))),
      onError: (err, row) => this.o.logger.error({ err, outboxId: row?.id }, 'outbox: a send could not be recorded; the row is retried after the lease'),
    });
    try {
      while (!this.stopping && paused.until === 0) {
        // Keep about half a batch waiting for lanes: they never idle, and little is held on a stop.
        await pool.waitBelow(Math.max(1, Math.floor(this.s.batchSize / 2)));
        if (this.stopping || paused.until !== 0) break;
        const now = clock.now();
        const rows = await claimDue(prisma, { channel, limit: this.s.batchSize, now, instanceId: this.o.instanceId, recipientGapMs: this.gaps[channel] });
        // Nothing due, or everything due is another instance's or waits for its recipient's gap: the next tick looks again.
        if (rows.length === 0) break;
        const ready = await this.prepare(sender, rows, now, stats);
        pool.push(
          ready.map((p) => ({
            row: p.row,
            send: () => this.sendOne(sender, p, stats, paused),
            skip: async () => {
              await unclaim(prisma, [p.row.id], this.o.instanceId, clock.now());
              stats.deferred++;
            },
          })),
        );
      }
    } finally {
      await pool.drain();
      // The channel rests (an operator must act): what this instance still holds waits for the pause.
      const held = pool.takeQueued().map((i) => i.row.id);
      if (paused.until !== 0 && held.length > 0) await unclaim(prisma, held, this.o.instanceId, new Date(paused.until));
    }
  }

  /** Checks, renders and (WhatsApp) reserves the tier for claimed rows; returns those to send, in order. */
  private async prepare(sender: NotificationSender, rows: ClaimedRow[], now: Date, stats: TickStats): Promise<Prepared[]> {
    const { prisma, instanceId } = this.o;
    const channel = sender.channel;
    const context = await rowContexts(
      prisma,
      rows.map((r) => r.id),
    );
    // Messages to a registry phone carry a deep link into the bots (an SMS's only way in).
    const toPhones = rows.filter((r) => isOutreach(r));
    const deepLinks = this.o.deepLinks && toPhones.length > 0 ? await this.o.deepLinks(toPhones, now) : new Map<number, string>();
    const contents = await reminderContents(prisma, rows, now);
    const seen = new Set<string>();
    const later: number[] = [];
    const held: Record<HoldReason, { id: number; at: Date }[]> = { busy: [], night: [] };
    /** Desk replies on WhatsApp waiting for the parent to open the window (support.ts releases them). */
    const awaiting: { id: number; at: Date }[] = [];
    const ready: Prepared[] = [];
    for (const row of rows) {
      const claim = { id: row.id, instanceId };
      const ctx = context.get(row.id) ?? UNKNOWN_ROW;
      // Before the one-row-per-chat rule below, so that the later reminder claimed in the same
      // batch goes now instead of waiting the recipient gap behind a cancelled row.
      if (ctx.superseded) {
        await markCancelled(prisma, claim, SUPERSEDED);
        stats.cancelled++;
        continue;
      }
      // Two rows for one chat in a batch: the second waits the recipient gap.
      if (seen.has(row.chatId)) {
        later.push(row.id);
        continue;
      }
      seen.add(row.chatId);
      const support = isSupportKind(row.kind);
      // The desk's messages answer the parent's own question: a campaign opt-out does not stop them.
      if (ctx.optedOut && !support) {
        await markCancelled(prisma, claim, 'opted out');
        stats.cancelled++;
        continue;
      }
      const outreach = isOutreach(row);
      const link = ctx.link;
      const refused = outreach
        ? outreachCancel(ctx)
        : support
          ? supportCancel(ctx)
          : !link
            ? 'chat no longer linked'
            : link.unreachableAt
              ? 'unreachable'
              : null;
      if (refused) {
        await markCancelled(prisma, claim, refused);
        stats.cancelled++;
        continue;
      }
      // Only WhatsApp has templates (Telegram's `template` is null by contract: no parameters to format).
      const composed = await compose(prisma, row, now, channel === 'WHATSAPP' ? (this.o.templates ?? {}) : {}, contents);
      if (!composed.ok) {
        if ('cancel' in composed) {
          await markCancelled(prisma, claim, composed.cancel);
          stats.cancelled++;
        } else {
          await markFailed(prisma, claim, composed.fail);
          stats.failed++;
          this.o.logger.error({ outboxId: row.id, error: composed.fail }, 'outbox: row cannot be sent');
        }
        continue;
      }
      // After composing: a reminder the parent no longer needs is cancelled rather than held.
      // Stop-list notices are never held: they tell of something already done to the applications.
      const hold = row.kind === REMINDER ? reminderHold(ctx.activity, now, this.s.window) : registryHold(row.kind, now, this.s.window, this.urgentWindow);
      if (hold) {
        held[hold.reason].push({ id: row.id, at: hold.until });
        continue;
      }
      // A registry phone has no window open: WhatsApp takes only the template there. A chat with
      // the desk may be unlinked (a parent not identified writes too): its thread knows its last word.
      const lastInboundAt = outreach ? null : support ? latest(link?.lastInboundAt ?? null, ctx.thread?.lastParentAt ?? null) : link!.lastInboundAt;
      const open = sender.withinServiceWindow ? sender.withinServiceWindow(lastInboundAt, now) : true;
      if (support && sender.withinServiceWindow) {
        const decision = supportWindowDecision(row.kind, open);
        if (decision === 'cancel') {
          await markCancelled(prisma, claim, 'the window is open: the reply goes itself');
          stats.cancelled++;
          continue;
        }
        if (decision === 'hold') {
          awaiting.push({ id: row.id, at: new Date(now.getTime() + AWAITING_WINDOW_MAX_MS) });
          continue;
        }
      }
      const window = !row.viaTemplate && open;
      // Registry news without a template of its own (enrolled, withdrawn…) is not worth opening a
      // business-initiated conversation: outside the window it is dropped, not failed.
      if (!window && !composed.template && registryEventOf(row.kind)) {
        await markCancelled(prisma, claim, 'no template outside the service window');
        stats.cancelled++;
        continue;
      }
      ready.push({
        row,
        locale: outreach ? (ctx.parent.locale ?? REGISTRY_DEFAULT_LOCALE) : support ? (link?.locale ?? ctx.thread!.locale) : link!.locale,
        message: composed.message,
        template: composed.template,
        withinServiceWindow: window,
        content: composed.content,
        link: deepLinks.get(row.id) ?? null,
      });
    }
    if (later.length > 0) {
      await unclaim(prisma, later, instanceId, new Date(now.getTime() + this.gaps[channel]));
      stats.deferred += later.length;
    }
    await this.holdBack(channel, held, stats);
    if (awaiting.length > 0) {
      await unclaimEach(prisma, awaiting, instanceId, AWAITING_WINDOW);
      stats.deferred += awaiting.length;
    }
    const admitted = await this.deferredBySender(sender, ready, now, stats);
    if (channel !== 'WHATSAPP') return admitted;
    const templated = admitted.filter((p) => !p.withinServiceWindow);
    if (templated.length === 0) return admitted;
    const decision = await reserveTemplateSends(
      prisma,
      templated.map((p) => ({ id: p.row.id, chatId: p.row.chatId })),
      this.s.whatsappTier,
      now,
    );
    if (decision.deferred.length === 0) return admitted;
    await unclaimEach(prisma, decision.deferred, instanceId, TIER_CAP);
    stats.deferred += decision.deferred.length;
    this.o.logger.info({ deferred: decision.deferred.length, tier: this.s.whatsappTier }, 'outbox: WhatsApp tier reached; messages deferred');
    const capped = new Set(decision.deferred.map((d) => d.id));
    return admitted.filter((p) => !capped.has(p.row.id));
  }

  /** A channel with a budget or hours of its own (SMS) gives back what may not go yet, for the whole batch at once. */
  private async deferredBySender(sender: NotificationSender, ready: Prepared[], now: Date, stats: TickStats): Promise<Prepared[]> {
    if (!sender.deferred || ready.length === 0) return ready;
    const deferral = await sender.deferred(
      ready.map((p) => ({ id: p.row.id, notification: notificationOf(p) })),
      now,
    );
    if (deferral.rows.length === 0) return ready;
    await unclaimEach(this.o.prisma, deferral.rows, this.o.instanceId, deferral.reason);
    stats.deferred += deferral.rows.length;
    this.o.logger.info({ channel: sender.channel, deferred: deferral.rows.length, reason: deferral.reason }, 'outbox: messages deferred by their channel');
    const waiting = new Set(deferral.rows.map((d) => d.id));
    return ready.filter((p) => !waiting.has(p.row.id));
  }

  /** Gives held reminders back untried, each due again at its own instant (inside the window). */
  private async holdBack(channel: Channel, held: Record<HoldReason, { id: number; at: Date }[]>, stats: TickStats): Promise<void> {
    if (held.busy.length + held.night.length === 0) return;
    for (const reason of ['busy', 'night'] as const) {
      await unclaimEach(this.o.prisma, held[reason], this.o.instanceId, HELD[reason]);
      stats.deferred += held[reason].length;
    }
    // Counts only: which chats are busy is personal.
    this.o.logger.debug(
      { channel, busy: held.busy.length, night: held.night.length },
      'outbox: reminders held back (chat busy, or outside the daytime window)',
    );
  }

  private async sendOne(sender: NotificationSender, p: Prepared, stats: TickStats, paused: { until: number }): Promise<void> {
    const { prisma, clock, logger, instanceId } = this.o;
    const claim = { id: p.row.id, instanceId };
    if (paused.until !== 0) {
      await unclaim(prisma, [p.row.id], instanceId, new Date(paused.until));
      return;
    }
    let outcome: Awaited<ReturnType<NotificationSender['send']>>;
    try {
      outcome = await sender.send(notificationOf(p));
    } catch (err) {
      await this.onFailure(sender, p, asSendFailure(err), stats, paused);
      return;
    }
    // Resolves once committed (with the results of other lanes): only then is this lane free again.
    await this.recorder.record(claim.id, {
      externalId: outcome.externalId,
      viaTemplate: outcome.viaTemplate,
      now: clock.now(),
      statusesByWebhook: sender.channel === 'WHATSAPP',
    });
    stats.sent++;
    this.o.onSent?.(sender.channel, p.row.kind);
    logger.debug({ outboxId: p.row.id, channel: sender.channel, viaTemplate: outcome.viaTemplate }, 'outbox: sent');
  }

  private async onFailure(sender: NotificationSender, p: Prepared, f: SendFailure, stats: TickStats, paused: { until: number }): Promise<void> {
    const { prisma, clock, logger, instanceId } = this.o;
    const now = clock.now();
    const claim = { id: p.row.id, instanceId };
    const log = { outboxId: p.row.id, channel: sender.channel, attempts: p.row.attempts, failure: f.failure };
    const exhausted = p.row.attempts >= this.s.maxAttempts;
    switch (f.failure.kind) {
      case 'retry':
      case 'resendAsTemplate': {
        if (exhausted) {
          await markFailed(prisma, claim, `after ${p.row.attempts} attempts: ${f.failure.reason}`.slice(0, 500));
          stats.failed++;
          logger.warn(log, 'outbox: message given up after its last attempt');
          return;
        }
        const asTemplate = f.failure.kind === 'resendAsTemplate';
        const delay = asTemplate ? 0 : retryDelayMs(p.row.attempts, f.failure.retryAfterMs, this.s.backoff, this.o.random);
        await markRetry(prisma, claim, { nextAttemptAt: new Date(now.getTime() + delay), error: f.failure.reason.slice(0, 500), viaTemplate: asTemplate });
        stats.retried++;
        logger.info({ ...log, delayMs: delay }, asTemplate ? 'outbox: window closed; resending as the template' : 'outbox: send failed; retrying later');
        return;
      }
      case 'unreachable': {
        // A registry phone that is no WhatsApp user (or no valid SMS number) is not tried again this season.
        if (isOutreach(p.row) && p.row.seasonId !== null && sender.channel !== 'TELEGRAM') {
          await recordUndeliverable(prisma, { channel: sender.channel, address: p.row.chatId, seasonId: p.row.seasonId, code: f.failure.reason.slice(0, 40) });
        }
        const cancelled = await markChatUnreachable(prisma, claim, { channel: sender.channel, chatId: p.row.chatId }, now);
        stats.failed++;
        stats.cancelled += cancelled;
        logger.info({ ...log, cancelled }, 'outbox: chat unreachable; its other messages cancelled');
        return;
      }
      case 'defer': {
        // Not a failure: the channel may not send it yet. Given back untried, the attempt not counted.
        await unclaim(prisma, [p.row.id], instanceId, f.failure.until, f.failure.reason.slice(0, 500));
        stats.deferred++;
        logger.debug({ ...log, until: f.failure.until.toISOString() }, 'outbox: message deferred by its channel');
        return;
      }
      case 'fatal': {
        await markFailed(prisma, claim, f.failure.reason.slice(0, 500));
        stats.failed++;
        if (f.failure.operator && paused.until === 0) {
          // Every send would fail the same way: rest the channel on all instances, say so once.
          paused.until = now.getTime() + this.s.fatalPauseMs;
          await pauseBucket(prisma, sender.channel, new Date(paused.until));
          logger.error(
            { ...log, alert: true, pausedUntil: new Date(paused.until).toISOString() },
            'outbox: ALERT an operator must act (token or template); the channel pauses',
          );
        } else if (!f.failure.operator) {
          logger.error({ ...log, alert: true }, 'outbox: ALERT message refused by the platform; not retried');
        }
        return;
      }
    }
  }

  /** Sleeps, cut short by a stop. */
  private sleep(ms: number): Promise<void> {
    if (this.o.sleep) return this.o.sleep(ms);
    return Promise.race([new Promise<void>((resolve) => setTimeout(resolve, ms)), this.stopped]);
  }
}

interface Prepared {
  row: ClaimedRow;
  locale: 'kk' | 'ru';
  message: Message;
  template: TemplateCall | null;
  withinServiceWindow: boolean;
  /** As data, for channels that write their own text (SMS); the support desk's messages have none. */
  content?: NotificationContent;
  /** The deep link of a row addressed to a registry phone (deep-links.ts). */
  link: string | null;
}

const notificationOf = (p: Prepared): Notification => ({
  chatId: p.row.chatId,
  locale: p.locale,
  message: p.message,
  template: p.template,
  withinServiceWindow: p.withinServiceWindow,
  ...(p.content ? { content: p.content } : {}),
  link: p.link,
});

/** `error` of a reminder given back until its chat is quiet, or until the window opens. */
export const HELD: Record<HoldReason, string> = { busy: 'held: chat busy', night: 'held: outside the daytime window' };

/**
 * A desk reply held for the window is looked at again when the parent writes (or after this, so
 * nothing waits forever unseen: it is held again if the window is still shut).
 */
const AWAITING_WINDOW_MAX_MS = 7 * 86_400_000;

/**
 * WhatsApp and the desk: a reply or a close goes free-form inside the window and waits for it
 * outside (the operator sent the "you have an answer" template, whose tap opens it); that
 * template itself is pointless once the window is open.
 */
function supportWindowDecision(kind: string, open: boolean): 'send' | 'hold' | 'cancel' {
  if (kind === SUPPORT_NUDGE) return open ? 'cancel' : 'send';
  return open ? 'send' : 'hold';
}

function supportCancel(ctx: RowContext): string | null {
  if (!ctx.thread) return 'support thread gone';
  return ctx.link?.unreachableAt ? 'unreachable' : null;
}

const latest = (a: Date | null, b: Date | null): Date | null => (a && b ? (a > b ? a : b) : (a ?? b));

/** A claimed row whose context was not read (it cannot happen while the claim holds): treated as unlinked. */
const UNKNOWN_ROW: RowContext = {
  link: null,
  activity: { movedAt: null, screen: null, lastInboundAt: null },
  superseded: false,
  optedOut: false,
  parent: { locale: null, consent: false, chatReachable: false, undeliverable: false },
  thread: null,
};

/** Why a row to a registry phone is not sent after all; null: it goes. */
function outreachCancel(ctx: RowContext): string | null {
  if (!ctx.parent.consent) return 'consent withdrawn';
  if (ctx.parent.chatReachable) return 'reached in a chat';
  if (ctx.parent.undeliverable) return 'address unreachable this season';
  return null;
}

const emptyStats = (): TickStats => ({ sent: 0, retried: 0, failed: 0, cancelled: 0, deferred: 0 });

interface PoolOptions {
  lanes: number;
  /** Rate slots are taken for at least this many free lanes at once (fewer only when that empties the queue or no lane is busy). */
  minTake: number;
  maxLateMs: number;
  clock: Clock;
  stopping: () => boolean;
  /** Up to `n` rate slots (epoch ms). */
  take: (n: number) => Promise<number[]>;
  /** Waits a little when the rate has no slot free. */
  idle: () => Promise<void>;
  /** Waits for a send's slot (`sleep` when the dispatcher was given one: a virtual clock's time). */
  untilSlot: (ms: number) => Promise<void>;
  onError: (err: unknown, row: ClaimedRow | null) => void;
}

/**
 * Up to `lanes` sends at once, in claim order, each at a rate slot taken when a lane is free —
 * slots for `minTake` or more free lanes in one statement, each message still sent at its own slot.
 * Items not started when stopping stay SENDING and are given back by `releaseMine`.
 */
class SendPool {
  private readonly queue: Item[] = [];
  private active = 0;
  private feeding = false;
  private waiters: (() => void)[] = [];

  constructor(private readonly o: PoolOptions) {}

  push(items: Item[]): void {
    this.queue.push(...items);
    void this.feed();
  }

  /** Removes and returns the items no lane started. */
  takeQueued(): Item[] {
    return this.queue.splice(0);
  }

  /** Resolves when fewer than `n` items wait for a lane (or sending stopped). */
  async waitBelow(n: number): Promise<void> {
    while (this.queue.length >= n && !this.o.stopping()) await this.changed();
  }

  async drain(): Promise<void> {
    while (this.active > 0 || this.feeding || (this.queue.length > 0 && !this.o.stopping())) await this.changed();
  }

  private changed(): Promise<void> {
    return new Promise<void>((r) => this.waiters.push(r));
  }

  private notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const resolve of w) resolve();
  }

  private async feed(): Promise<void> {
    if (this.feeding) return;
    this.feeding = true;
    try {
      while (!this.o.stopping() && this.queue.length > 0) {
        const want = Math.min(this.o.lanes - this.active, this.queue.length);
        // Too few free lanes for a worthwhile take while others are busy: wait for more to finish.
        if (want === 0 || (want < this.o.minTake && want < this.queue.length && this.active > 0)) {
          await this.changed();
          continue;
        }
        let slots: number[];
        try {
          slots = await this.o.take(want);
        } catch (err) {
          this.o.onError(err, null);
          await this.o.idle();
          continue;
        }
        if (slots.length === 0) {
          await this.o.idle();
          continue;
        }
        for (const slot of slots) {
          const item = this.queue.shift();
          if (!item) break;
          this.active++;
          void this.run(item, slot).finally(() => {
            this.active--;
            void this.feed();
            this.notify();
          });
        }
        this.notify();
      }
    } finally {
      this.feeding = false;
      this.notify();
    }
  }

  private async run(item: Item, slot: number): Promise<void> {
    const wait = slot - this.o.clock.now().getTime();
    if (wait > 0) await this.o.untilSlot(wait);
    if (this.o.stopping()) return;
    const late = this.o.clock.now().getTime() - slot;
    const step = late > this.o.maxLateMs ? item.skip : item.send;
    await step().catch((err) => this.o.onError(err, item.row));
  }
}
