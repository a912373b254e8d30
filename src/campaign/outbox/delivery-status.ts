/**
 * Delivery statuses of sent outbox messages (sent → delivered → read, or failed), reported by the
 * platform's webhooks (WhatsApp) and recorded on the row of that message. Webhooks may deliver them
 * out of order, so a status only ever moves the record forward: one conditional update, safe
 * against a concurrent one and idempotent.
 *
 * A status may also overtake the result of its own send: the platform reports on a message (a
 * 131047 within milliseconds) before the dispatcher has written the message's id on the row, and
 * then matches no row. Such a status is kept in `early_delivery_statuses`, and the two writers
 * commute — each first writes its own fact, then looks for the other's in a later statement:
 * - the status handler: apply to the row (the usual case ends here) → keep the status, unless a
 *   row has the id by now → apply again;
 * - the sent recorder: write SENT with the id (`markSentMany`) → apply the statuses kept for it.
 * Under READ COMMITTED every statement sees what was committed before it began. If the recorder's
 * look misses the kept status, that status committed after the look began, so after the SENT
 * write — and the handler's second apply, begun later still, sees the row (as it does when the
 * keeping statement already saw the id). Whichever lands second applies; when both do, the
 * conditional updates make the second a no-op (one template resend). Both sides must run outside
 * a transaction of the caller: each statement must commit on its own.
 */
import type { EarlyDeliveryStatus, Prisma } from '../../generated/prisma/client.ts';
import type { Channel } from '../../generated/prisma/enums.ts';
import type { Db } from '../../services/db.ts';

export type DeliveryState = 'sent' | 'delivered' | 'read' | 'failed';

/** A later status in this order never gives way to an earlier one; failed ends a merely sent message. */
const RANK: Record<DeliveryState, number> = { sent: 1, failed: 2, delivered: 3, read: 4 };

export const isDeliveryState = (status: string): status is DeliveryState => Object.hasOwn(RANK, status);

export interface DeliveryStatus {
  /** The platform's message id, as the send returned it. */
  externalId: string;
  status: DeliveryState;
  /** Failed only because the service window had closed: the parent is reachable by template. */
  resendAsTemplate: boolean;
  /** What the platform said of a failure, for the row's `error`. */
  error: string | null;
  /** When the platform says it happened; null: unknown. */
  at: Date | null;
}

export interface StatusOutcome {
  /** Outbox rows updated (0: not an outbox message, the record was further on, or kept for later). */
  updated: number;
  /** It matched no row while a send of its chat was unrecorded: kept, applied when the send's result lands. */
  kept: boolean;
}

/** Statuses kept longer than this belong to no outbox row: its send's result never landed (the row was resent under another id). */
export const EARLY_STATUS_RETENTION_MS = 2 * 86_400_000;

/**
 * Records a status reported by the platform. `chatId` is the recipient as the outbox knows it
 * (null when the status does not say): only a status that may belong to one of its unrecorded
 * sends is kept, not those of the conversation's own replies, which never have an outbox row.
 */
export async function recordDeliveryStatus(db: Db, channel: Channel, chatId: string | null, s: DeliveryStatus, now: Date): Promise<StatusOutcome> {
  const updated = await applyToOutbox(db, s, now);
  if (updated > 0) return { updated, kept: false };
  // Kept only while no row has the id and a send of the chat is unrecorded (`DO UPDATE`: a
  // redelivered status counts as kept too). A row that has the id by now gets the second apply
  // alone: the first may have missed it by a moment, or found the status out of date.
  const [look] = await db.$queryRaw<{ landed: boolean; kept: boolean }[]>`
    WITH landed AS (SELECT EXISTS (SELECT 1 FROM outbox WHERE "externalId" = ${s.externalId}) AS yes),
    kept AS (
      INSERT INTO early_delivery_statuses ("externalId", status, "resendAsTemplate", error, "occurredAt", "receivedAt")
      SELECT ${s.externalId}, ${s.status}, ${s.resendAsTemplate}, ${s.error}, ${s.at}::timestamp(3), ${now}::timestamp(3)
      WHERE NOT (SELECT yes FROM landed)
        AND EXISTS (SELECT 1 FROM outbox WHERE channel = ${channel}::"Channel" AND status = 'SENDING' AND (${chatId}::text IS NULL OR "chatId" = ${chatId}))
      ON CONFLICT ("externalId", status) DO UPDATE SET "receivedAt" = EXCLUDED."receivedAt"
      RETURNING 1
    )
    SELECT (SELECT yes FROM landed) AS landed, EXISTS (SELECT 1 FROM kept) AS kept`;
  if (!look?.landed && !look?.kept) return { updated: 0, kept: false };
  // The second look, begun after the status was kept: see the header.
  const late = await applyToOutbox(db, s, now);
  if (late > 0 && look.kept) await forget(db, [s]);
  return { updated: late, kept: look.kept && late === 0 };
}

/**
 * After SENT results with these ids were committed: applies the statuses that overtook them.
 * One index probe when there are none (nearly always). Returns the rows updated.
 */
export async function applyEarlyStatuses(db: Db, externalIds: string[], now: Date): Promise<number> {
  if (externalIds.length === 0) return 0;
  const early = await db.earlyDeliveryStatus.findMany({ where: { externalId: { in: externalIds } } });
  return applyKept(db, early, now);
}

/**
 * The hourly clean-up: applies kept statuses whose row has its id by now (a recorder that failed
 * or died between its two statements), then drops those older than `receivedBefore`.
 */
export async function settleEarlyStatuses(db: Db, receivedBefore: Date, now: Date): Promise<{ applied: number; dropped: number }> {
  const matched = await db.$queryRaw<{ externalId: string }[]>`
    SELECT DISTINCT e."externalId" FROM early_delivery_statuses e JOIN outbox o ON o."externalId" = e."externalId"`;
  const applied = await applyEarlyStatuses(
    db,
    matched.map((m) => m.externalId),
    now,
  );
  const { count } = await db.earlyDeliveryStatus.deleteMany({ where: { receivedAt: { lt: receivedBefore } } });
  return { applied, dropped: count };
}

type KeptStatus = Pick<EarlyDeliveryStatus, 'externalId' | 'status' | 'resendAsTemplate' | 'error' | 'occurredAt'>;

/** Applies kept statuses (their rows now have the id), each message's in rank order, then forgets them. */
async function applyKept(db: Db, kept: KeptStatus[], now: Date): Promise<number> {
  const statuses = kept
    .filter((k): k is KeptStatus & { status: DeliveryState } => isDeliveryState(k.status))
    .map((k): DeliveryStatus => ({ externalId: k.externalId, status: k.status, resendAsTemplate: k.resendAsTemplate, error: k.error, at: k.occurredAt }))
    .sort((a, b) => a.externalId.localeCompare(b.externalId) || RANK[a.status] - RANK[b.status]);
  let updated = 0;
  for (const s of statuses) updated += await applyToOutbox(db, s, now);
  // Applied or out of date, by a look begun after the id was written (or refused: a lost claim's id never lands).
  await forget(db, kept);
  return updated;
}

async function forget(db: Db, kept: Pick<KeptStatus, 'externalId' | 'status'>[]): Promise<void> {
  if (kept.length === 0) return;
  await db.earlyDeliveryStatus.deleteMany({ where: { OR: kept.map((k) => ({ externalId: k.externalId, status: k.status })) } });
}

async function applyToOutbox(db: Db, s: DeliveryStatus, now: Date): Promise<number> {
  const rank = RANK[s.status];
  const earlier = (Object.keys(RANK) as DeliveryState[]).filter((k) => RANK[k] < rank);
  const forward: Prisma.OutboxWhereInput[] = [{ delivery: null }, { delivery: { in: earlier } }];
  if (s.status === 'failed' && s.resendAsTemplate) {
    const resent = await requeueAsTemplate(db, s, forward, now);
    if (resent > 0) return resent;
  }
  const failed = s.status === 'failed';
  const { count } = await db.outbox.updateMany({
    where: { externalId: s.externalId, OR: forward },
    data: failed ? { delivery: s.status, status: 'FAILED', error: s.error ?? 'failed' } : { delivery: s.status },
  });
  return count;
}

/**
 * 131047: the free-form message arrived after the 24-hour window closed. The parent is reachable —
 * only by template — so the outbox row goes back to PENDING marked to go as the template (the
 * dispatcher then reserves the tier for it), instead of failing or marking the chat unreachable.
 * Only a SENT free-form row is requeued, and the requeue clears its id: applied twice, it resends
 * once. A template refused so stays FAILED (the update in `applyToOutbox`).
 */
async function requeueAsTemplate(db: Db, s: DeliveryStatus, forward: Prisma.OutboxWhereInput[], now: Date): Promise<number> {
  const { count } = await db.outbox.updateMany({
    where: { externalId: s.externalId, viaTemplate: false, status: 'SENT', OR: forward },
    data: { status: 'PENDING', viaTemplate: true, nextAttemptAt: s.at ?? now, sentAt: null, externalId: null, delivery: null, error: s.error },
  });
  return count;
}
