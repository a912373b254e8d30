/**
 * What the inbox shows: the open conversations, oldest waiting first, with channel, language, the
 * districts of the parent's applications and the waiting time; a conversation with its messages
 * (files by reference, never their bytes), the parent's applications, the chat's recent bot
 * activity, and whether a WhatsApp free-form reply can go now.
 */
import type { ChannelName, Locale } from '../../conversation/core/views.ts';
import { withinServiceWindow } from '../../domain/service-window.ts';
import type { Db } from '../../services/db.ts';

export interface ThreadRow {
  id: number;
  channel: ChannelName;
  locale: Locale;
  parentId: number | null;
  parentName: string | null;
  districts: string | null;
  openedAt: Date;
  waitingSince: Date | null;
  lastParentAt: Date;
  assignee: string | null;
  messages: number;
}

export type InboxFilter = 'waiting' | 'open' | 'mine' | 'closed';
export const INBOX_FILTERS: InboxFilter[] = ['waiting', 'open', 'mine', 'closed'];

/** Waiting first (the longest wait on top), then the answered open ones; closed: the latest closed. */
export async function listThreads(db: Db, filter: InboxFilter, operatorId: number, limit = 200): Promise<ThreadRow[]> {
  const closed = filter === 'closed';
  return db.$queryRaw<ThreadRow[]>`
    SELECT t.id, t.channel::text AS channel, t.locale::text AS locale, t."parentId", p."fullName" AS "parentName",
           (SELECT string_agg(DISTINCT k.district, ', ' ORDER BY k.district)
              FROM applications a JOIN application_choices c ON c."applicationId" = a.id JOIN kindergartens k ON k.id = c."kindergartenId"
             WHERE a."parentId" = t."parentId") AS districts,
           t."openedAt", t."waitingSince", t."lastParentAt", o.username AS assignee,
           (SELECT count(*)::int FROM support_messages m WHERE m."threadId" = t.id) AS messages
    FROM support_threads t
    LEFT JOIN parents p ON p.id = t."parentId"
    LEFT JOIN operator_users o ON o.id = t."assignedToId"
    WHERE t.status = ${closed ? 'CLOSED' : 'OPEN'}::"SupportStatus"
      AND (${filter !== 'waiting'} OR t."waitingSince" IS NOT NULL)
      AND (${filter !== 'mine'} OR t."assignedToId" = ${operatorId})
    ORDER BY ${closed}, t."closedAt" DESC NULLS LAST, t."waitingSince" ASC NULLS LAST, t."lastParentAt" DESC
    LIMIT ${limit}`;
}

export async function threadView(db: Db, id: number, now: Date) {
  const thread = await db.supportThread.findUnique({
    where: { id },
    include: {
      assignedTo: { select: { id: true, username: true } },
      parent: {
        select: {
          id: true,
          fullName: true,
          phone: true,
          iin: true,
          applications: { orderBy: { queueNumber: 'asc' }, select: { queueNumber: true, status: true, validUntil: true, stopListedAt: true } },
        },
      },
    },
  });
  if (!thread) return null;
  const messages = await db.supportMessage.findMany({
    where: { threadId: id },
    orderBy: { id: 'asc' },
    select: {
      id: true,
      author: true,
      text: true,
      fileName: true,
      fileMime: true,
      fileSize: true,
      createdAt: true,
      operator: { select: { username: true } },
      outboxId: true,
    },
  });
  const outboxIds = messages.map((m) => m.outboxId).filter((x): x is number => x !== null);
  const deliveries = new Map(
    (await db.outbox.findMany({ where: { id: { in: outboxIds } }, select: { id: true, status: true, error: true, sentAt: true, delivery: true } })).map((o) => [
      o.id,
      o,
    ]),
  );
  const [link, conversation, activity] = await Promise.all([
    db.chatLink.findUnique({
      where: { channel_chatId: { channel: thread.channel, chatId: thread.chatId } },
      select: { lastInboundAt: true, unreachableAt: true },
    }),
    db.conversationState.findUnique({
      where: { channel_chatId: { channel: thread.channel, chatId: thread.chatId } },
      select: { updatedAt: true, state: true },
    }),
    db.outbox.findMany({
      where: { channel: thread.channel, chatId: thread.chatId },
      orderBy: { id: 'desc' },
      take: 10,
      select: { id: true, kind: true, status: true, sentAt: true, createdAt: true, viaTemplate: true, error: true },
    }),
  ]);
  const lastInbound =
    [link?.lastInboundAt ?? null, thread.lastParentAt].filter((d): d is Date => d !== null).sort((a, b) => b.getTime() - a.getTime())[0] ?? null;
  const screen = (conversation?.state as { screen?: unknown } | null)?.screen;
  return {
    thread,
    messages: messages.map((m) => ({ ...m, delivery: m.outboxId !== null ? (deliveries.get(m.outboxId) ?? null) : null })),
    lastMessageId: messages.at(-1)?.id ?? 0,
    activity,
    screen: typeof screen === 'string' ? screen : null,
    conversationAt: conversation?.updatedAt ?? null,
    /** WhatsApp only: a free-form reply may go now; else it waits for the template's tap. */
    windowOpen: thread.channel === 'WHATSAPP' ? withinServiceWindow(lastInbound, now) : true,
    unreachable: link?.unreachableAt ?? null,
  };
}

/** The newest change anywhere in the inbox: a message, an open, a close or an assignment (the live view's cursor). */
export async function inboxCursor(db: Db): Promise<string> {
  const [row] = await db.$queryRaw<{ m: number | null; t: Date | null; n: number }[]>`
    SELECT (SELECT max(id) FROM support_messages) AS m,
           (SELECT max(GREATEST("openedAt", COALESCE("closedAt", "openedAt"))) FROM support_threads) AS t,
           (SELECT count(*)::int FROM support_threads WHERE status = 'OPEN' AND "assignedToId" IS NOT NULL) AS n`;
  return `${row?.m ?? 0}.${row?.t?.getTime() ?? 0}.${row?.n ?? 0}`;
}

export function cannedReplies(db: Db, locale?: Locale) {
  return db.cannedReply.findMany({ where: locale ? { locale } : {}, orderBy: [{ locale: 'asc' }, { title: 'asc' }] });
}
