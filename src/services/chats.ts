/** The link between a chat on one channel and the parent identified in it. */
import type { Channel, ChatLink, Locale } from '../generated/prisma/client.ts';
import { inTransaction, type Db } from './db.ts';

export function findChatLink(db: Db, channel: Channel, chatId: string): Promise<ChatLink | null> {
  return db.chatLink.findUnique({ where: { channel_chatId: { channel, chatId } } });
}

/**
 * The chat's language, also kept as the parent's preference for messages they did not ask for.
 * Returns whether the chat is linked (an unlinked chat keeps its language in the conversation only).
 */
export async function setLocale(db: Db, args: { channel: Channel; chatId: string; locale: Locale }): Promise<boolean> {
  const { channel, chatId, locale } = args;
  const link = await db.chatLink.findUnique({ where: { channel_chatId: { channel, chatId } }, select: { parentId: true } });
  if (!link) return false;
  await inTransaction(db, async (tx) => {
    await tx.chatLink.updateMany({ where: { channel, chatId }, data: { locale } });
    await tx.parent.updateMany({ where: { id: link.parentId }, data: { locale } });
  });
  return true;
}
