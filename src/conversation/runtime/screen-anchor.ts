/**
 * Where a chat shows its current screen: the platform's id of the message drawn for screen
 * instance `seq`. A channel that can edit messages (Telegram) redraws a screen changed by typed
 * input there, and need not send an unchanged one again, instead of filling the chat with copies.
 * Kept beside the conversation, written only by the channel after delivery (never by the
 * conversation's save), so neither overwrites the other.
 */
import type { Channel } from '../../generated/prisma/client.ts';
import type { Logger } from '../../log.ts';
import type { Db } from '../../services/db.ts';

export interface ScreenAnchor {
  seq: number;
  messageId: string;
}

/**
 * Records the messages now showing screens, one statement for all; a chat without a conversation
 * row has no screen to anchor. The last write wins: should two instances deliver a chat's updates
 * out of order, the older anchor only names another screen instance, and the newer screen is then
 * sent anew once.
 */
export async function saveScreenAnchors(db: Db, channel: Channel, anchors: { chatId: string; anchor: ScreenAnchor }[]): Promise<void> {
  if (anchors.length === 0) return;
  const chats = anchors.map((a) => a.chatId);
  const seqs = anchors.map((a) => a.anchor.seq);
  const ids = anchors.map((a) => a.anchor.messageId);
  await db.$executeRaw`
    UPDATE conversation_states c SET "anchorSeq" = d.seq, "anchorMessageId" = d.id
    FROM unnest(${chats}::text[], ${seqs}::int[], ${ids}::text[]) AS d("chatId", seq, id)
    WHERE c.channel = ${channel}::"Channel" AND c."chatId" = d."chatId"`;
}

export const saveScreenAnchor = (db: Db, channel: Channel, chatId: string, anchor: ScreenAnchor): Promise<void> =>
  saveScreenAnchors(db, channel, [{ chatId, anchor }]);

export interface ScreenAnchorBookOptions {
  /** Anchors written together after this long (an anchor is an optimisation: no update waits for it). */
  delayMs?: number;
  /** Recent anchors this instance keeps in memory. */
  remember?: number;
}

/**
 * One channel's anchors as this instance knows them: the ones it drew itself come from memory at
 * once (the next update of the chat need not wait for the write), and every anchor is written
 * behind, batched, for the other instances and the next start. Losing a write costs one screen
 * sent anew later, never the parent's answer.
 */
export class ScreenAnchorBook {
  private readonly recent = new Map<string, ScreenAnchor>();
  private pending = new Map<string, ScreenAnchor>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private writing: Promise<void> = Promise.resolve();
  private readonly delayMs: number;
  private readonly remember: number;

  constructor(
    private readonly db: Db,
    private readonly channel: Channel,
    private readonly logger: Logger,
    opts: ScreenAnchorBookOptions = {},
  ) {
    this.delayMs = opts.delayMs ?? 200;
    this.remember = opts.remember ?? 20_000;
  }

  /** The anchor of a chat: this instance's own if it drew the screen, else the one read from the database. */
  get(chatId: string, stored: ScreenAnchor | null): ScreenAnchor | null {
    return this.recent.get(chatId) ?? stored;
  }

  set(chatId: string, anchor: ScreenAnchor): void {
    // Re-inserted, so the map's order is the order of use and the oldest goes first.
    this.recent.delete(chatId);
    this.recent.set(chatId, anchor);
    if (this.recent.size > this.remember) this.recent.delete(this.recent.keys().next().value!);
    this.pending.set(chatId, anchor);
    this.timer ??= setTimeout(() => void this.flush(), this.delayMs);
  }

  /** Writes what is pending; resolves when every write so far is done (a graceful stop). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = [...this.pending].map(([chatId, anchor]) => ({ chatId, anchor }));
    this.pending = new Map();
    if (batch.length > 0) {
      this.writing = this.writing
        .then(() => saveScreenAnchors(this.db, this.channel, batch))
        .catch((err: unknown) => this.logger.warn({ err, anchors: batch.length }, 'recording the messages that show the screens failed'));
    }
    return this.writing;
  }
}
