/**
 * Writing a send's outcome on its outbox row, right after the send (one row per statement: a
 * crash may lose at most the result of the send in flight). Every write is conditional on the row
 * still being this instance's claim, so a result arriving after the lease was taken over by
 * another instance cannot overwrite that instance's work.
 */
import type { Channel } from '../../generated/prisma/enums.ts';
import type { Db } from '../../services/db.ts';
import { markUnreachable } from '../../services/reachability.ts';

/** `error` of rows given up because their chat cannot be reached. */
export const UNREACHABLE = 'unreachable';

interface Claim {
  id: number;
  instanceId: string;
}

const mine = (c: Claim) => ({ id: c.id, status: 'SENDING' as const, claimedBy: c.instanceId });

/** The hot path (one per message): plain SQL, the cheapest statement Prisma runs. */
export async function markSent(db: Db, c: Claim, r: { externalId: string | null; viaTemplate: boolean; now: Date }): Promise<void> {
  await db.$executeRaw`
    UPDATE outbox SET status = 'SENT', "sentAt" = ${r.now}::timestamp(3), "externalId" = ${r.externalId}, "viaTemplate" = ${r.viaTemplate},
                      error = NULL, "claimedBy" = NULL
    WHERE id = ${c.id} AND status = 'SENDING' AND "claimedBy" = ${c.instanceId}`;
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
