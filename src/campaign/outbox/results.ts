/**
 * Writing a send's outcome on its outbox row, soon after the send. Every write is conditional on
 * the row still being this instance's claim, so a result arriving after the lease was taken over
 * by another instance cannot overwrite that instance's work.
 *
 * SENT results, the hot path, are written together (`SentRecorder`: one UPDATE … FROM unnest for
 * the sends that finished within a few milliseconds); the rare other outcomes one row each. When
 * the batch holds sends whose platform reports delivery statuses by webhook (WhatsApp), a second
 * statement, once the first committed, applies the statuses that overtook those results
 * (delivery-status.ts) — nearly always one index probe that finds nothing.
 */
import type { Channel } from '../../generated/prisma/enums.ts';
import type { Db } from '../../services/db.ts';
import { markUnreachable } from '../../services/reachability.ts';
import { applyEarlyStatuses } from './delivery-status.ts';

/** `error` of rows given up because their chat cannot be reached. */
export const UNREACHABLE = 'unreachable';

interface Claim {
  id: number;
  instanceId: string;
}

const mine = (c: Claim) => ({ id: c.id, status: 'SENDING' as const, claimedBy: c.instanceId });

export interface SentResult {
  externalId: string | null;
  viaTemplate: boolean;
  now: Date;
  /** The platform reports delivery statuses by webhook (WhatsApp): one may arrive before this result. */
  statusesByWebhook?: boolean;
}

/** Several SENT results of this instance's claims in one statement. Returns the rows written. */
export async function markSentMany(db: Db, instanceId: string, results: (SentResult & { id: number })[]): Promise<number> {
  if (results.length === 0) return 0;
  const ids = results.map((r) => r.id);
  const ext = results.map((r) => r.externalId);
  const tpl = results.map((r) => r.viaTemplate);
  const ms = results.map((r) => r.now.getTime());
  return db.$executeRaw`
    UPDATE outbox o SET status = 'SENT', "sentAt" = (to_timestamp(d.ms / 1000) AT TIME ZONE 'UTC')::timestamp(3), "externalId" = d.ext,
                        "viaTemplate" = d.tpl, error = NULL, "claimedBy" = NULL
    FROM unnest(${ids}::int[], ${ext}::text[], ${tpl}::bool[], ${ms}::float8[]) AS d(id, ext, tpl, ms)
    WHERE o.id = d.id AND o.status = 'SENDING' AND o."claimedBy" = ${instanceId}`;
}

interface Waiting {
  result: SentResult & { id: number };
  done: () => void;
  failed: (err: unknown) => void;
}

export interface RecorderOptions {
  /** How long a result waits for others to be written with it. Default 10 ms. */
  delayMs?: number;
  /** Written at once when this many wait. Default 200. */
  maxBatch?: number;
  /** Applying early statuses failed (the SENT results are in; the hourly sweep applies them). */
  onStatusError?: (err: unknown) => void;
}

/**
 * Group commit of SENT results: `record` resolves once the result is in the database, written
 * together with every other result that arrived within `delayMs` (or as soon as `maxBatch` wait).
 * The dispatcher frees a send lane only when `record` resolved, so a lane never has more than one
 * send the database does not know of — the at-least-once boundary stays one message per lane.
 */
export class SentRecorder {
  private waiting: Waiting[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly delayMs: number;
  private readonly maxBatch: number;

  constructor(
    private readonly db: Db,
    private readonly instanceId: string,
    private readonly opts: RecorderOptions = {},
  ) {
    this.delayMs = opts.delayMs ?? 10;
    this.maxBatch = opts.maxBatch ?? 200;
  }

  record(id: number, r: SentResult): Promise<void> {
    return new Promise<void>((done, failed) => {
      this.waiting.push({ result: { id, ...r }, done, failed });
      if (this.waiting.length >= this.maxBatch) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.delayMs);
    });
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.waiting;
    this.waiting = [];
    if (batch.length === 0) return;
    this.write(batch.map((w) => w.result)).then(
      () => batch.forEach((w) => w.done()),
      (err: unknown) => batch.forEach((w) => w.failed(err)),
    );
  }

  private async write(results: (SentResult & { id: number })[]): Promise<void> {
    await markSentMany(this.db, this.instanceId, results);
    // A separate statement, begun after the SENT write committed: that is what makes it commute with the status handler.
    const ids = results.flatMap((r) => (r.statusesByWebhook && r.externalId !== null ? [r.externalId] : []));
    if (ids.length === 0) return;
    const now = new Date(Math.max(...results.map((r) => r.now.getTime())));
    await applyEarlyStatuses(this.db, ids, now).catch((err: unknown) => this.opts.onStatusError?.(err));
  }
}

export async function markRetry(db: Db, c: Claim, r: { nextAttemptAt: Date; error: string; viaTemplate?: boolean }): Promise<void> {
  await db.outbox.updateMany({
    where: mine(c),
    data: { status: 'PENDING', nextAttemptAt: r.nextAttemptAt, error: r.error, claimedBy: null, ...(r.viaTemplate ? { viaTemplate: true } : {}) },
  });
}

export async function markFailed(db: Db, c: Claim, error: string): Promise<void> {
  await db.outbox.updateMany({ where: mine(c), data: { status: 'FAILED', error, claimedBy: null } });
}

export async function markCancelled(db: Db, c: Claim, error: string): Promise<void> {
  await db.outbox.updateMany({ where: mine(c), data: { status: 'CANCELLED', error, claimedBy: null } });
}

/**
 * The chat cannot be written to: the link is marked (the parent's next message clears it), this
 * row FAILED, and the chat's other waiting rows CANCELLED — nobody retries a blocked chat.
 */
export async function markChatUnreachable(db: Db, c: Claim, chat: { channel: Channel; chatId: string }, now: Date): Promise<number> {
  await markUnreachable(db, chat.channel, chat.chatId, now);
  await db.outbox.updateMany({ where: mine(c), data: { status: 'FAILED', error: UNREACHABLE, claimedBy: null } });
  const { count } = await db.outbox.updateMany({
    where: { channel: chat.channel, chatId: chat.chatId, status: 'PENDING' },
    data: { status: 'CANCELLED', error: UNREACHABLE },
  });
  return count;
}
