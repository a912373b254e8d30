/**
 * The education department's desk: parents' messages from the bots (text, a photo or a PDF of a
 * document) gathered into one open thread per chat, operators' replies and the close.
 *
 * Nothing is lost and nothing doubles: a parent's message is keyed by the platform update it came
 * in (a redelivery or a retried conversation step records it once), an operator's reply by the
 * reply form's key (a double submit sends once). Replies go through the outbox (durable, paced,
 * retried), so a restart between the reply and its delivery delivers it once.
 */
import { randomUUID } from 'node:crypto';
import type { SupportSettings } from '../config/env.ts';
import type { SupportHours, SupportOutcome } from '../conversation/core/effects.ts';
import { SUPPORT_FILE_MAX_BYTES, SUPPORT_TEXT_MAX } from '../conversation/core/support-rules.ts';
import type { ChannelName, Locale } from '../conversation/core/views.ts';
import { toAlmaty } from '../domain/almaty-time.ts';
import { sniffFileType } from '../domain/file-type.ts';
import { Prisma, type Channel, type SupportThread } from '../generated/prisma/client.ts';
import { inTransaction, type Db } from './db.ts';
import { SUPPORT_CLOSED, SUPPORT_NUDGE, SUPPORT_REPLY } from '../campaign/outbox-kinds.ts';

/** The desk's hours when the configuration names none (SUPPORT_HOURS, SUPPORT_ANSWER_HOURS). */
export const DEFAULT_SUPPORT_SETTINGS: SupportSettings = { hours: { startMinute: 9 * 60, endMinute: 18 * 60 }, answerWithinHours: 4 };

/** A parent may send this many messages a minute; more are refused politely. */
export const SUPPORT_MESSAGES_PER_MINUTE = 20;
const MINUTE_MS = 60_000;

/** What a channel's `FileSource` gives for a platform file id. */
export type FetchedFile = { ok: true; data: Uint8Array<ArrayBuffer>; mime: string | null } | { ok: false; reason: 'tooBig' | 'failed' };

/** Downloads a file the parent sent, from the channel's platform; stops reading past `maxBytes`. */
export interface FileSource {
  fetch(ref: string, maxBytes: number): Promise<FetchedFile>;
}

export interface ParentFile {
  ref: string;
  /** As the platform declared them. */
  size: number | null;
  name: string | null;
}

export interface ParentMessage {
  channel: ChannelName;
  chatId: string;
  locale: Locale;
  /** The inbound update's key (one per platform message): the same key records nothing new. */
  key: string;
  text: string | null;
  file?: { ref: ParentFile; source: FileSource | undefined };
  now: Date;
}

export interface Recorded {
  outcome: SupportOutcome;
  /** This message opened the chat's thread. */
  opened: boolean;
}

const openKeyOf = (channel: ChannelName, chatId: string) => `${channel}:${chatId}`;

/** The hours as the parent is told them, and whether the desk works right now (weekdays, Almaty). */
export function supportHours(settings: SupportSettings, now: Date): SupportHours {
  const local = toAlmaty(now);
  const minute = local.minuteOfDay;
  const weekday = new Date(Date.UTC(local.year, local.month - 1, local.day)).getUTCDay();
  const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  return {
    from: hhmm(settings.hours.startMinute),
    to: hhmm(settings.hours.endMinute),
    answerWithinHours: settings.answerWithinHours,
    openNow: weekday >= 1 && weekday <= 5 && minute >= settings.hours.startMinute && minute < settings.hours.endMinute,
  };
}

export async function recordParentMessage(db: Db, m: ParentMessage): Promise<Recorded> {
  if (m.text !== null && m.text.length > SUPPORT_TEXT_MAX) throw new RangeError('support text over the limit (the conversation refuses it first)');
  const key = `${m.channel}:${m.key}`;
  const known = await db.supportMessage.findUnique({ where: { key }, select: { id: true, threadId: true } });
  if (known) return { outcome: 'recorded', opened: await isFirst(db, known.threadId, known.id) };
  const open = await db.supportThread.findUnique({ where: { openKey: openKeyOf(m.channel, m.chatId) } });
  if (open) {
    const slowed = await rateLimited(db, open, m.now);
    if (slowed) return { outcome: slowed, opened: false };
  }
  let file: { name: string | null; mime: string; size: number; data: Uint8Array<ArrayBuffer> } | null = null;
  if (m.file) {
    const got = await fetchChecked(m.file.ref, m.file.source);
    if (!got.ok) return { outcome: got.outcome, opened: false };
    file = got.file;
  }
  try {
    return await inTransaction(db, async (tx) => {
      const thread = await openThread(tx, m);
      const message = await tx.supportMessage.create({
        data: {
          threadId: thread.id,
          author: 'PARENT',
          key,
          text: m.text,
          ...(file ? { fileName: file.name, fileMime: file.mime, fileSize: file.size, fileData: file.data } : {}),
          createdAt: m.now,
        },
        select: { id: true },
      });
      await tx.supportThread.update({
        where: { id: thread.id },
        data: { lastParentAt: m.now, waitingSince: thread.waitingSince ?? m.now, locale: m.locale },
      });
      return { outcome: 'recorded' as const, opened: await isFirst(tx, thread.id, message.id) };
    });
  } catch (err) {
    // The same update recorded meanwhile by a concurrent attempt: it is recorded, once.
    if (isUniqueViolation(err)) return recordParentMessage(db, m);
    throw err;
  }
}

async function isFirst(db: Db, threadId: number, messageId: number): Promise<boolean> {
  return (await db.supportMessage.count({ where: { threadId, id: { lt: messageId } } })) === 0;
}

/** The chat's open thread, opened now if there is none (for the parent linked to the chat, if any). */
async function openThread(db: Db, m: ParentMessage): Promise<SupportThread> {
  const link = await db.chatLink.findUnique({ where: { channel_chatId: { channel: m.channel, chatId: m.chatId } }, select: { parentId: true } });
  return db.supportThread.upsert({
    where: { openKey: openKeyOf(m.channel, m.chatId) },
    create: {
      channel: m.channel,
      chatId: m.chatId,
      parentId: link?.parentId ?? null,
      locale: m.locale,
      openKey: openKeyOf(m.channel, m.chatId),
      openedAt: m.now,
      lastParentAt: m.now,
      waitingSince: m.now,
    },
    // A parent who wrote before identifying and identified since: the thread is theirs now.
    update: link ? { parentId: link.parentId } : {},
  });
}

/** Over the minute's allowance: told the first time in a minute, quietly refused after. */
async function rateLimited(db: Db, thread: SupportThread, now: Date): Promise<SupportOutcome | null> {
  const since = new Date(now.getTime() - MINUTE_MS);
  const recent = await db.supportMessage.count({ where: { threadId: thread.id, author: 'PARENT', createdAt: { gt: since } } });
  if (recent < SUPPORT_MESSAGES_PER_MINUTE) return null;
  if (thread.slowedAt && thread.slowedAt > since) return 'slowDownQuiet';
  await db.supportThread.update({ where: { id: thread.id }, data: { slowedAt: now } });
  return 'slowDown';
}

type Checked = { ok: true; file: { name: string | null; mime: string; size: number; data: Uint8Array<ArrayBuffer> } } | { ok: false; outcome: SupportOutcome };

/** Downloads the parent's file within the size limit and keeps it only if it is a JPEG, PNG or PDF. */
async function fetchChecked(ref: ParentFile, source: FileSource | undefined): Promise<Checked> {
  if (ref.size !== null && ref.size > SUPPORT_FILE_MAX_BYTES) return { ok: false, outcome: 'fileTooBig' };
  if (!source) return { ok: false, outcome: 'fileFailed' };
  const got = await source.fetch(ref.ref, SUPPORT_FILE_MAX_BYTES);
  if (!got.ok) return { ok: false, outcome: got.reason === 'tooBig' ? 'fileTooBig' : 'fileFailed' };
  const mime = sniffFileType(got.data);
  if (!mime) return { ok: false, outcome: 'fileType' };
  return { ok: true, file: { name: cleanName(ref.name), mime, size: got.data.length, data: got.data } };
}

/** A file name as the parent's phone gave it, without paths or control characters; shown escaped anyway. */
function cleanName(name: string | null): string | null {
  if (!name) return null;
  const base = name.split(/[/\\]/).pop() ?? '';
  const clean = base
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what a file name must not keep
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim()
    .slice(0, 120);
  return clean || null;
}

// ——— operators ———

export type ReplyResult =
  | { status: 'sent'; messageId: number }
  /** The form was submitted before (a double click, a resubmitted page): nothing new. */
  | { status: 'duplicate'; messageId: number }
  /** Another operator answered after this one opened the conversation: shown to them first. */
  | { status: 'collision'; other: { id: number; text: string | null; username: string | null } }
  | { status: 'closed' };

export interface OperatorReply {
  threadId: number;
  operatorId: number;
  text: string;
  /** The reply form's one-time key. */
  replyKey: string;
  /** The newest message the operator saw when the form was drawn. */
  seenMessageId: number;
  /** Send even though another operator answered meanwhile (they read it). */
  force: boolean;
  now: Date;
}

/** A new one-time key for a reply form. */
export const newReplyKey = (): string => randomUUID();

export async function replyToThread(db: Db, r: OperatorReply): Promise<ReplyResult> {
  const key = `reply:${r.replyKey}`;
  try {
    return await inTransaction(db, async (tx) => {
      const known = await tx.supportMessage.findUnique({ where: { key }, select: { id: true } });
      if (known) return { status: 'duplicate', messageId: known.id };
      // Taken for the transaction: two operators replying at once are decided one after the other.
      const [thread] = await tx.$queryRaw<{ id: number; status: string; channel: ChannelName; chatId: string; parentId: number | null }[]>`
        SELECT id, status::text AS status, channel::text AS channel, "chatId", "parentId" FROM support_threads WHERE id = ${r.threadId} FOR UPDATE`;
      if (thread?.status !== 'OPEN') return { status: 'closed' };
      if (!r.force) {
        const other = await tx.supportMessage.findFirst({
          where: { threadId: r.threadId, author: 'OPERATOR', id: { gt: r.seenMessageId }, NOT: { operatorId: r.operatorId } },
          orderBy: { id: 'desc' },
          select: { id: true, text: true, operator: { select: { username: true } } },
        });
        if (other) return { status: 'collision', other: { id: other.id, text: other.text, username: other.operator?.username ?? null } };
      }
      const message = await tx.supportMessage.create({
        data: { threadId: r.threadId, author: 'OPERATOR', operatorId: r.operatorId, text: r.text, key, createdAt: r.now },
        select: { id: true },
      });
      const row = await tx.outbox.create({
        data: {
          dedupeKey: `support-reply:${message.id}`,
          channel: thread.channel,
          chatId: thread.chatId,
          parentId: thread.parentId,
          kind: SUPPORT_REPLY,
          payload: { threadId: r.threadId, messageId: message.id },
          nextAttemptAt: r.now,
          createdAt: r.now,
        },
        select: { id: true },
      });
      await tx.supportMessage.update({ where: { id: message.id }, data: { outboxId: row.id } });
      await tx.$executeRaw`
        UPDATE support_threads SET "waitingSince" = NULL, "firstResponseAt" = COALESCE("firstResponseAt", ${r.now}),
               "assignedToId" = COALESCE("assignedToId", ${r.operatorId})
        WHERE id = ${r.threadId}`;
      return { status: 'sent', messageId: message.id };
    });
  } catch (err) {
    if (isUniqueViolation(err)) return replyToThread(db, r);
    throw err;
  }
}

/**
 * WhatsApp, outside the customer-service window: the approved template "you have an answer" goes
 * to the chat (at most one a day per thread); its button, or any message, opens the window and
 * releases the held replies (`recordInboundActivity` in reachability.ts). False when today's went already.
 */
export async function queueAnswerTemplate(db: Db, threadId: number, now: Date): Promise<boolean> {
  const thread = await db.supportThread.findUnique({ where: { id: threadId } });
  if (thread?.channel !== 'WHATSAPP') return false;
  const day = toAlmaty(now);
  const n = await db.outbox.createMany({
    data: [
      {
        dedupeKey: `support-nudge:${threadId}:${day.year}-${day.month}-${day.day}`,
        channel: thread.channel,
        chatId: thread.chatId,
        parentId: thread.parentId,
        kind: SUPPORT_NUDGE,
        viaTemplate: true,
        payload: { threadId, since: thread.lastParentAt.toISOString() },
        nextAttemptAt: now,
        createdAt: now,
      },
    ],
    skipDuplicates: true,
  });
  return n.count > 0;
}

export async function assignThread(db: Db, threadId: number, operatorId: number | null): Promise<boolean> {
  const n = await db.supportThread.updateMany({ where: { id: threadId, status: 'OPEN' }, data: { assignedToId: operatorId } });
  return n.count > 0;
}

/**
 * Closes the thread: the parent is told in their language and gets the menu back (an outbox
 * message), and their conversation stops sending free text to the department.
 */
export async function closeThread(db: Db, threadId: number, operatorId: number, now: Date): Promise<SupportThread | null> {
  const closed = await inTransaction(db, async (tx) => {
    const n = await tx.supportThread.updateMany({
      where: { id: threadId, status: 'OPEN' },
      data: { status: 'CLOSED', openKey: null, closedAt: now, closedById: operatorId, waitingSince: null },
    });
    if (n.count === 0) return null;
    const thread = await tx.supportThread.findUniqueOrThrow({ where: { id: threadId } });
    await tx.outbox.create({
      data: {
        dedupeKey: `support-closed:${threadId}`,
        channel: thread.channel,
        chatId: thread.chatId,
        parentId: thread.parentId,
        kind: SUPPORT_CLOSED,
        payload: { threadId },
        nextAttemptAt: now,
        createdAt: now,
      },
    });
    return thread;
  });
  if (closed) await endSupportInConversation(db, closed.channel, closed.chatId);
  return closed;
}

/**
 * The chat's stored conversation no longer has a conversation open (optimistic: a concurrent step
 * of the parent's makes it try again). A conversation saved by a newer release is left to it.
 */
async function endSupportInConversation(db: Db, channel: Channel, chatId: string): Promise<void> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const row = await db.conversationState.findUnique({ where: { channel_chatId: { channel, chatId } }, select: { state: true, version: true } });
    const state = row?.state as Record<string, unknown> | null | undefined;
    if (!row || !state || state.supportOpen !== true) return;
    const next: Record<string, unknown> = { ...state, supportOpen: false };
    // The prompt to write stays no longer: its chat shows the menu the close message brings.
    if (state.screen === 'support') Object.assign(next, { screen: 'menu', seq: Number(state.seq) + 1, render: 'new' });
    const saved = await db.conversationState.updateMany({
      where: { channel, chatId, version: row.version },
      data: { state: next as Prisma.InputJsonValue, version: row.version + 1 },
    });
    if (saved.count > 0) return;
  }
}

function isUniqueViolation(err: unknown): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';
}
