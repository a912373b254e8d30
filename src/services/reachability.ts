/**
 * Whether a chat can be written to. A blocked bot (Telegram 403, a kicked bot, WhatsApp
 * re-engagement errors) marks the link unreachable so nobody retries it forever; the parent's
 * next message makes it reachable again. WhatsApp's 24-hour customer-service window is measured
 * from the chat's last inbound message.
 */
import type { Channel } from '../generated/prisma/client.ts';
import type { Db } from './db.ts';

export async function markUnreachable(db: Db, channel: Channel, chatId: string, now: Date): Promise<boolean> {
  const { count } = await db.chatLink.updateMany({ where: { channel, chatId, unreachableAt: null }, data: { unreachableAt: now } });
  return count > 0;
}

/** An inbound message: the chat is reachable and its customer-service window opens now. */
export async function recordInboundActivity(db: Db, channel: Channel, chatId: string, now: Date, externalUserId?: string | null): Promise<void> {
  await db.chatLink.updateMany({
    where: { channel, chatId },
    data: { unreachableAt: null, lastInboundAt: now, ...(externalUserId ? { externalUserId } : {}) },
  });
}
