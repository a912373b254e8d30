/**
 * The persisted conversation of each chat, with optimistic locking: a save names the version it
 * was loaded at and fails when another update of the same chat got there first.
 */
import type { Channel } from '../../generated/prisma/client.ts';
import type { Db } from '../../services/db.ts';
import { conversationStateSchema, initialState, type ConversationState } from '../core/state.ts';
import { upgradeState } from '../core/state-versions.ts';

/** How a stored state was read when it was not saved in this release's shape. */
export type StateRecovery =
  | { kind: 'upgraded'; from: number }
  /** Corrupt, or of a shape no upgrade step knows: the conversation starts over. */
  | { kind: 'unreadable'; reason: string }
  /** Saved by a newer release: not to be processed (nor overwritten) by this one. */
  | { kind: 'newer'; version: number };

export interface LoadedConversation {
  state: ConversationState;
  /** 0 when the chat has no stored conversation yet. */
  version: number;
  recovery?: StateRecovery;
}

/** Stored states read since the process started that were not in the current shape (metrics, logs). */
export const stateRecoveries = { upgraded: 0, unreadable: 0, newer: 0 };

/** A conversation_states row as read (by this module or with the inbox record, src/inbox/inbox.ts). */
export interface StoredConversation {
  state: unknown;
  version: number;
}

export async function loadConversation(db: Db, channel: Channel, chatId: string): Promise<LoadedConversation> {
  const row = await db.conversationState.findUnique({
    where: { channel_chatId: { channel, chatId } },
    select: { state: true, version: true },
  });
  return toLoaded(row);
}

/**
 * A state from an earlier release is moved forward (state-versions.ts). One that still does not
 * pass the schema (corrupt) starts over from the initial state but keeps its row version, so the
 * next save replaces it; the caller logs it. Only the failing paths are reported, never values.
 */
export function toLoaded(row: StoredConversation | null): LoadedConversation {
  if (!row) return { state: initialState(), version: 0 };
  const up = upgradeState(row.state);
  if (up.kind === 'newer') {
    stateRecoveries.newer++;
    return { state: initialState(), version: row.version, recovery: { kind: 'newer', version: up.version } };
  }
  const parsed = conversationStateSchema.safeParse(up.kind === 'unversioned' ? row.state : up.state);
  if (!parsed.success) {
    stateRecoveries.unreadable++;
    const reason = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.code}`)
      .join('; ');
    return { state: initialState(), version: row.version, recovery: { kind: 'unreadable', reason } };
  }
  if (up.kind !== 'upgraded') return { state: parsed.data, version: row.version };
  stateRecoveries.upgraded++;
  return { state: parsed.data, version: row.version, recovery: { kind: 'upgraded', from: up.from } };
}

export interface SaveOptions {
  /**
   * The inbox update (of the chat's channel) this state answers: marked processed in the same
   * statement, so the update's effect on the conversation is committed exactly once — a crash
   * before the save leaves it to be processed again, a crash after leaves nothing to repeat.
   */
  settles?: string;
  /** The time written as the row's updatedAt and the update's processedAt (default now). */
  now?: Date;
}

/**
 * Saves the state if the stored version is still `expectedVersion` (0: no row yet); the stored
 * version becomes expectedVersion + 1. Returns false on a conflict: the caller reloads and
 * processes again. One statement (one round trip, one commit), and a conflict is no error, so it
 * never aborts a surrounding PostgreSQL transaction.
 */
export async function saveConversation(
  db: Db,
  channel: Channel,
  chatId: string,
  state: ConversationState,
  expectedVersion: number,
  opts: SaveOptions = {},
): Promise<boolean> {
  const now = opts.now ?? new Date();
  // Columns as in prisma/schema.prisma (ConversationState, InboundUpdate).
  const rows = await db.$queryRaw<{ saved: boolean }[]>`
    WITH saved AS (
      INSERT INTO conversation_states (channel, "chatId", state, version, "updatedAt")
      VALUES (${channel}::"Channel", ${chatId}, ${JSON.stringify(state)}::jsonb, ${expectedVersion + 1}::int, ${now}::timestamp(3))
      ON CONFLICT (channel, "chatId") DO UPDATE
        SET state = EXCLUDED.state, version = EXCLUDED.version, "updatedAt" = EXCLUDED."updatedAt"
        WHERE conversation_states.version = ${expectedVersion}::int
      RETURNING 1
    ), settled AS (
      UPDATE inbound_updates SET "processedAt" = ${now}::timestamp(3), payload = NULL
      WHERE channel = ${channel}::"Channel" AND "externalId" = ${opts.settles ?? null}::text AND "processedAt" IS NULL
        AND EXISTS (SELECT 1 FROM saved)
    )
    SELECT EXISTS (SELECT 1 FROM saved) AS saved`;
  return rows[0]?.saved === true;
}
