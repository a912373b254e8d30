/**
 * Whether a chat can be written to. A blocked bot (Telegram 403, a kicked bot, WhatsApp
 * re-engagement errors) marks the link unreachable so nobody retries it forever; the parent's
 * next message makes it reachable again. WhatsApp's 24-hour customer-service window is measured
 * from the chat's last inbound message.
 */
import type { Channel } from '../generated/prisma/client.ts';
import type { Db } from './db.ts';
import { AWAITING_WINDOW, SUPPORT_CLOSED, SUPPORT_REPLY } from '../campaign/outbox-kinds.ts';

export async function markUnreachable(db: Db, channel: Channel, chatId: string, now: Date): Promise<boolean> {
  const { count } = await db.chatLink.updateMany({ where: { channel, chatId, unreachableAt: null }, data: { unreachableAt: now } });
  return count > 0;
}

/**
 * An inbound message: the chat is reachable and its customer-service window opens now, so the
 * desk's replies held for that window go too. One statement: this runs for every message.
 */
export async function recordInboundActivity(db: Db, channel: Channel, chatId: string, now: Date, externalUserId?: string | null): Promise<void> {
  // A data-modifying CTE runs whether or not the outer statement reads it.
  await db.$executeRaw`
    WITH link AS (
      UPDATE chat_links SET "unreachableAt" = NULL, "lastInboundAt" = ${now}, "externalUserId" = COALESCE(${externalUserId ?? null}::text, "externalUserId")
      WHERE channel = ${channel}::"Channel" AND "chatId" = ${chatId}
    )
    UPDATE outbox SET "nextAttemptAt" = ${now}, error = NULL
    WHERE channel = ${channel}::"Channel" AND "chatId" = ${chatId} AND status = 'PENDING'
      AND kind = ANY(${[SUPPORT_REPLY, SUPPORT_CLOSED]}::text[]) AND error = ${AWAITING_WINDOW}`;
}
