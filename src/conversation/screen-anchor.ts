/**
 * Where a chat shows its current screen: the platform's id of the message drawn for screen
 * instance `seq`. A channel that can edit messages (Telegram) redraws a screen changed by typed
 * input there, and need not send an unchanged one again, instead of filling the chat with copies.
 * Kept beside the conversation, written only by the channel after delivery (never by the
 * conversation's save), so neither overwrites the other.
 */
import type { Channel } from '../generated/prisma/client.ts';
import type { Db } from '../services/db.ts';

export interface ScreenAnchor {
  seq: number;
  messageId: string;
}

/**
 * Records the message now showing screen `seq`; a chat without a conversation row has no screen
 * to anchor. The last write wins: should two instances deliver a chat's updates out of order, the
 * older anchor only names another screen instance, and the newer screen is then sent anew once.
 */
export async function saveScreenAnchor(db: Db, channel: Channel, chatId: string, anchor: ScreenAnchor): Promise<void> {
  await db.$executeRaw`
    UPDATE conversation_states SET "anchorSeq" = ${anchor.seq}::int, "anchorMessageId" = ${anchor.messageId}
    WHERE channel = ${channel}::"Channel" AND "chatId" = ${chatId}`;
}
