/**
 * The persisted conversation of each chat, with optimistic locking: a save names the version it
 * was loaded at and fails when another update of the same chat got there first.
 */
import type { Channel, Prisma } from '../generated/prisma/client.ts';
import type { Db } from '../services/db.ts';
import { conversationStateSchema, initialState, type ConversationState } from './state.ts';

export interface LoadedConversation {
  state: ConversationState;
  /** 0 when the chat has no stored conversation yet. */
  version: number;
}

/**
 * A stored state that no longer passes the schema (corrupt, or from an older release) starts over
 * from the initial state but keeps its version, so the next save replaces it.
 */
export async function loadConversation(db: Db, channel: Channel, chatId: string): Promise<LoadedConversation> {
  const row = await db.conversationState.findUnique({
    where: { channel_chatId: { channel, chatId } },
    select: { state: true, version: true },
  });
  if (!row) return { state: initialState(), version: 0 };
  const parsed = conversationStateSchema.safeParse(row.state);
  return { state: parsed.success ? parsed.data : initialState(), version: row.version };
}

/**
 * Saves the state if the stored version is still `expectedVersion`; the stored version becomes
 * expectedVersion + 1. Returns false on a conflict: the caller reloads and processes again.
 */
export async function saveConversation(
  db: Db,
  channel: Channel,
  chatId: string,
  state: ConversationState,
  expectedVersion: number,
): Promise<boolean> {
  const json = state as unknown as Prisma.InputJsonValue;
  if (expectedVersion === 0) {
    // ON CONFLICT DO NOTHING rather than catching a unique violation, which would abort a
    // surrounding PostgreSQL transaction.
    const { count } = await db.conversationState.createMany({
      data: [{ channel, chatId, state: json, version: 1 }],
      skipDuplicates: true,
    });
    if (count === 1) return true;
  }
  const { count } = await db.conversationState.updateMany({
    where: { channel, chatId, version: expectedVersion },
    data: { state: json, version: expectedVersion + 1 },
  });
  return count === 1;
}
