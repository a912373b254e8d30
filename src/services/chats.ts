/** The link between a chat on one channel and the parent identified in it. */
import type { Channel, ChatLink, Locale } from '../generated/prisma/client.ts';
import type { Db } from './db.ts';

export function findChatLink(db: Db, channel: Channel, chatId: string): Promise<ChatLink | null> {
  return db.chatLink.findUnique({ where: { channel_chatId: { channel, chatId } } });
}

/**
 * The chat's language, also kept as the parent's preference for messages they did not ask for.
 * Returns whether the chat is linked (an unlinked chat keeps its language in the conversation only).
 */
export async function setLocale(db: Db, args: { channel: Channel; chatId: string; locale: Locale }): Promise<boolean> {
  const { channel, chatId, locale } = args;
  // One statement, so atomic without a transaction. Columns as in prisma/schema.prisma (ChatLink, Parent).
  const rows = await db.$queryRaw<{ linked: boolean }[]>`
    WITH link AS (
      UPDATE chat_links SET locale = ${locale}::"Locale"
      WHERE channel = ${channel}::"Channel" AND "chatId" = ${chatId}
      RETURNING "parentId"
    ), parent AS (
      UPDATE parents SET locale = ${locale}::"Locale" FROM link WHERE parents.id = link."parentId"
    )
    SELECT EXISTS (SELECT 1 FROM link) AS linked`;
  return rows[0]?.linked === true;
}
