/**
 * Delivery statuses of sent messages (sent → delivered → read, or failed) recorded on the outbox
 * row of that message. Webhooks may deliver them out of order, so a status only ever moves the
 * record forward: one conditional update, safe against a concurrent one.
 */
import type { Db } from '../../src/services/db.ts';
import { failureKindOfCode } from './errors.ts';
import type { InboundStatus } from './inbound.ts';

/** A later status in this order never gives way to an earlier one; failed ends a merely sent message. */
const RANK: Record<string, number> = { sent: 1, failed: 2, delivered: 3, read: 4 };

export const isTrackedStatus = (status: string): boolean => status in RANK;

export interface StatusOutcome {
  /** Outbox rows updated (0: not an outbox message, or the record was already further on). */
  updated: number;
  /** The first error code of a failed status. */
  errorCode: number | null;
}

export async function applyStatus(db: Db, s: InboundStatus): Promise<StatusOutcome> {
  const rank = RANK[s.status];
  const errorCode = s.status === 'failed' ? (s.errors?.find((e) => typeof e.code === 'number')?.code ?? null) : null;
  if (rank === undefined) return { updated: 0, errorCode };
  const earlier = Object.keys(RANK).filter((k) => RANK[k]! < rank);
  const failed = s.status === 'failed';
  if (failed && errorCode !== null && failureKindOfCode(errorCode) === 'outsideWindow') {
    const resent = await requeueAsTemplate(db, s, earlier);
    if (resent > 0) return { updated: resent, errorCode };
  }
  const { count } = await db.outbox.updateMany({
    where: { externalId: s.id, OR: [{ delivery: null }, { delivery: { in: earlier } }] },
    data: failed ? { delivery: s.status, status: 'FAILED', error: describeErrors(s) } : { delivery: s.status },
  });
  return { updated: count, errorCode };
}

/**
 * 131047: the free-form message arrived after the 24-hour window closed. The parent is reachable —
 * only by template — so the outbox row goes back to PENDING marked to go as the template (the
 * dispatcher then reserves the tier for it), instead of failing or marking the chat unreachable.
 * A template refused so stays FAILED (the update below).
 */
async function requeueAsTemplate(db: Db, s: InboundStatus, earlier: string[]): Promise<number> {
  const failedAt = s.timestamp && /^\d+$/.test(s.timestamp) ? new Date(Number(s.timestamp) * 1000) : new Date();
  const { count } = await db.outbox.updateMany({
    where: { externalId: s.id, viaTemplate: false, status: 'SENT', OR: [{ delivery: null }, { delivery: { in: earlier } }] },
    data: { status: 'PENDING', viaTemplate: true, nextAttemptAt: failedAt, sentAt: null, externalId: null, delivery: null, error: describeErrors(s) },
  });
  return count;
}

function describeErrors(s: InboundStatus): string {
  const errors = s.errors ?? [];
  if (errors.length === 0) return 'failed';
  return errors
    .map((e) => [e.code ?? '?', e.title ?? e.message, e.errorData?.details].filter(Boolean).join(': '))
    .join('; ')
    .slice(0, 500);
}
