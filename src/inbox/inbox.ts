/**
 * The inbox of platform updates. An update is recorded before it is processed: a redelivery of
 * the same update (platforms retry on timeouts and errors) is recognised and skipped, and an
 * update acknowledged to the platform but not processed because the process died is found by
 * `unprocessed` and processed after the restart.
 */
import { Prisma, type Channel } from '../generated/prisma/client.ts';
import { jsonSafe } from '../db/json-safe.ts';
import type { ScreenAnchor } from '../conversation/runtime/screen-anchor.ts';
import type { StoredConversation } from '../conversation/runtime/store.ts';
import type { Db } from '../services/db.ts';

export interface InboundRecord {
  channel: Channel;
  externalId: string;
  chatId: string;
  payload?: Prisma.InputJsonValue;
  /**
   * When given, a fresh update also records the chat's inbound activity at this time (what
   * `recordInboundActivity` in services/reachability.ts does) in the same statement: every
   * message costs one round trip and one commit less. A duplicate records nothing.
   */
  activityAt?: Date;
}

/** Records the update; false when it was recorded before (a duplicate delivery). */
export async function recordInbound(db: Db, u: InboundRecord): Promise<boolean> {
  return (await record(db, u, false)).fresh;
}

/**
 * Records the update and, in the same statement, reads the chat's stored conversation (null:
 * none yet) — the first thing processing it needs, one round trip earlier. The read sees the
 * table as the statement began; the conversation's optimistic locking covers what changes after.
 */
export async function recordInboundReadingConversation(db: Db, u: InboundRecord): Promise<Recorded> {
  return record(db, u, true);
}

export interface Recorded {
  fresh: boolean;
  conversation: StoredConversation | null;
  /** The message that shows the conversation's screen, as the channel last wrote it (see screen-anchor.ts). */
  anchor: ScreenAnchor | null;
}

/**
 * Data-modifying CTEs run whether or not the outer query reads them; `activity` only matches when
 * `ins` inserted a row and a time is given. Columns as in prisma/schema.prisma (InboundUpdate,
 * ChatLink, ConversationState).
 */
async function record(db: Db, u: InboundRecord, readConversation: boolean): Promise<Recorded> {
  const payload = u.payload === undefined ? null : JSON.stringify(jsonSafe(u.payload));
  const rows = await db.$queryRaw<{ fresh: boolean; state: unknown; version: number | null; anchorSeq: number | null; anchorMessageId: string | null }[]>`
    WITH ins AS (
      INSERT INTO inbound_updates (channel, "externalId", "chatId", payload)
      VALUES (${u.channel}::"Channel", ${u.externalId}, ${u.chatId}, ${payload}::jsonb)
      ON CONFLICT DO NOTHING
      RETURNING 1
    ), activity AS (
      UPDATE chat_links SET "unreachableAt" = NULL, "lastInboundAt" = ${u.activityAt ?? null}::timestamp(3)
      WHERE channel = ${u.channel}::"Channel" AND "chatId" = ${u.chatId} AND ${u.activityAt ?? null}::timestamp(3) IS NOT NULL
        AND EXISTS (SELECT 1 FROM ins)
    )
    SELECT EXISTS (SELECT 1 FROM ins) AS fresh, c.state, c.version, c."anchorSeq", c."anchorMessageId"
    FROM (SELECT 1) AS one
    LEFT JOIN conversation_states c ON ${readConversation}::boolean AND c.channel = ${u.channel}::"Channel" AND c."chatId" = ${u.chatId}`;
  const row = rows[0];
  return {
    fresh: row?.fresh === true,
    conversation: row && row.version !== null ? { state: row.state, version: row.version } : null,
    anchor: row && row.anchorSeq !== null && row.anchorMessageId !== null ? { seq: row.anchorSeq, messageId: row.anchorMessageId } : null,
  };
}

export async function markProcessed(db: Db, channel: Channel, externalId: string, now: Date): Promise<void> {
  await db.inboundUpdate.updateMany({
    where: { channel, externalId, processedAt: null },
    // The payload holds personal data (phones, texts); once processed only the id is needed.
    data: { processedAt: now, payload: Prisma.DbNull },
  });
}

/** Counts a processing attempt, so a poison update can be given up after a few tries. */
export async function countAttempt(db: Db, channel: Channel, externalId: string): Promise<number> {
  const row = await db.inboundUpdate.update({
    where: { channel_externalId: { channel, externalId } },
    data: { attempts: { increment: 1 } },
    select: { attempts: true },
  });
  return row.attempts;
}

/** Updates recorded but never processed, older than `olderThan` (left by a crash), oldest first. */
export async function unprocessedInbound(db: Db, channel: Channel, olderThan: Date, limit = 100) {
  return db.inboundUpdate.findMany({
    where: { channel, processedAt: null, receivedAt: { lt: olderThan } },
    orderBy: { receivedAt: 'asc' },
    take: limit,
  });
}

/** Processed updates are kept only long enough to recognise redeliveries. */
export async function pruneInbound(db: Db, processedBefore: Date): Promise<number> {
  const { count } = await db.inboundUpdate.deleteMany({ where: { processedAt: { lt: processedBefore } } });
  return count;
}

/** Long enough that an update being handled right now is never taken over. */
export const INBOX_STALE_AFTER_MS = 2 * 60_000;

/**
 * Takes over an update recorded but never finished — the process handling it died. Only updates
 * older than `staleBefore` are taken, in one conditional UPDATE that restamps them, so two
 * instances sweeping at once never both take the same update. With `maxAttempts` the claim also
 * counts an attempt and refuses a poison update that already failed that often.
 */
export async function claimStaleInbound(
  db: Db,
  channel: Channel,
  externalId: string,
  staleBefore: Date,
  opts: { maxAttempts?: number } = {},
): Promise<boolean> {
  const { count } = await db.inboundUpdate.updateMany({
    where: {
      channel,
      externalId,
      processedAt: null,
      receivedAt: { lt: staleBefore },
      ...(opts.maxAttempts !== undefined ? { attempts: { lt: opts.maxAttempts } } : {}),
    },
    data: { receivedAt: new Date(), ...(opts.maxAttempts !== undefined ? { attempts: { increment: 1 } } : {}) },
  });
  return count === 1;
}
