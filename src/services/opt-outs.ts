/**
 * Opt-outs (issue 15): a parent asked not to be sent the campaign's messages on a channel — a bot
 * chat (TELEGRAM, WHATSAPP), WhatsApp templates at the registry phone (WHATSAPP) or SMS. One row
 * per parent and channel; every later plan and send leaves those parents out. Planners exclude
 * them in SQL in the same statement that picks recipients:
 *
 *   AND NOT EXISTS (SELECT 1 FROM notification_opt_outs o
 *                   WHERE o."parentId" = p.id AND o.channel = 'WHATSAPP'::"Channel")
 *
 * A re-import of the registry never touches these rows, and writing to a bot again does not undo
 * one: only the parent asking for messages again (`optIn`: the bots' /notify, the stop page's
 * "resume") or an operator does.
 */
import type { Channel, Locale } from '../generated/prisma/client.ts';
import { normalizePhone } from '../domain/phone.ts';
import type { Db } from './db.ts';

/** Where the parent asked: a bot chat, a template's Stop button, an SMS (reply or stop page), an operator. */
export type OptOutSource = 'bot' | 'template' | 'sms' | 'operator';

const ids = (parentIds: number | readonly number[]): number[] => [...new Set(typeof parentIds === 'number' ? [parentIds] : parentIds)];

/** Records the opt-outs; one already stored keeps its first source and date. Returns how many are new. */
export async function optOut(db: Db, parentIds: number | readonly number[], channel: Channel, source: OptOutSource, now: Date = new Date()): Promise<number> {
  const data = ids(parentIds).map((parentId) => ({ parentId, channel, source, createdAt: now }));
  if (data.length === 0) return 0;
  const r = await db.notificationOptOut.createMany({ data, skipDuplicates: true });
  return r.count;
}

/** The parents get the channel's messages again. Returns how many opt-outs were removed. */
export async function optIn(db: Db, parentIds: number | readonly number[], channel: Channel): Promise<number> {
  const list = ids(parentIds);
  if (list.length === 0) return 0;
  const r = await db.notificationOptOut.deleteMany({ where: { parentId: { in: list }, channel } });
  return r.count;
}

/** Which of the parents opted out of the channel: one statement for any number of them. */
export async function optedOut(db: Db, parentIds: readonly number[], channel: Channel): Promise<Set<number>> {
  const list = ids(parentIds);
  if (list.length === 0) return new Set();
  const rows = await db.notificationOptOut.findMany({ where: { parentId: { in: list }, channel }, select: { parentId: true } });
  return new Set(rows.map((r) => r.parentId));
}

export interface ChatParents {
  parentIds: number[];
  /** The registry language of the first of them that has one: for a chat that never chose one. */
  locale: Locale | null;
}

/**
 * Whose messages a chat stands for: the parent linked to it and — where the platform proves the
 * sender's number (WhatsApp) — every parent whose registry phone it is, since templates of
 * outreach go to registry phones of parents who never linked a chat.
 */
export async function chatParents(db: Db, args: { channel: Channel; chatId: string; phone: string | null }): Promise<ChatParents> {
  const phone = args.phone === null ? null : normalizePhone(args.phone);
  const rows = await db.parent.findMany({
    where: {
      OR: [{ chats: { some: { channel: args.channel, chatId: args.chatId } } }, ...(phone ? [{ phone }] : [])],
    },
    select: { id: true, locale: true },
    orderBy: { id: 'asc' },
  });
  return { parentIds: rows.map((r) => r.id), locale: rows.find((r) => r.locale !== null)?.locale ?? null };
}

/** Opt-out by a registry phone (an SMS "STOP" reply, a template's Stop from an unlinked number). */
export async function optOutPhone(db: Db, phone: string, channel: Channel, source: OptOutSource, now: Date = new Date()): Promise<number[]> {
  const normalized = normalizePhone(phone);
  if (!normalized) return [];
  const parents = await db.parent.findMany({ where: { phone: normalized }, select: { id: true }, orderBy: { id: 'asc' } });
  const parentIds = parents.map((p) => p.id);
  await optOut(db, parentIds, channel, source, now);
  return parentIds;
}
