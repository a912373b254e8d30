/**
 * What a claimed row says, decided at send time: the reminder's content as of now (the parent
 * may have extended since planning — then nothing is sent), the stop-list notice's data narrowed
 * to the applications still on the stop-list, as the neutral message plus the WhatsApp template call.
 */
import { supportClosedPayloadSchema, supportNudgePayloadSchema, supportReplyPayloadSchema } from './payloads.ts';
import type { Message } from '../../conversation/core/io.ts';
import type { Db } from '../../services/db.ts';
import { buildNotification, stopListDataFromPayload, templateParams, type NotificationContent } from '../notifications.ts';
import {
  isSupportKind,
  registryEventOf,
  REMINDER,
  STOPLIST_NOTICE,
  SUPPORT_CLOSED,
  SUPPORT_NUDGE,
  SUPPORT_REPLY,
  type CampaignKind,
  type RegistryNoticeKind,
} from '../outbox-kinds.ts';
import { supportClosedMessage, supportNudgeMessage, supportReplyMessage } from '../support-notifications.ts';
import { formatDate } from '../../i18n/format.ts';
import { buildRegistryNotice, registryNotification, registryPayload, registryTemplateParams } from '../registry-notices.ts';
import { reminderContent, type ReminderData } from '../planner.ts';
import { daysLeft } from '../schedule.ts';
import type { TemplateCall } from '../senders.ts';
import type { ClaimedRow } from './claim.ts';

/** The approved template of each kind (name and quick-reply payloads); the channel ships them. */
export type TemplateCatalog = Partial<Record<CampaignKind | typeof SUPPORT_NUDGE | RegistryNoticeKind, { name: string; buttonPayloads: string[] }>>;

export type Composed =
  /** `content`: the message as data, for channels that write their own text (SMS); the desk's messages have none. */
  | { ok: true; message: Message; template: TemplateCall | null; content?: NotificationContent }
  /** Not to be sent: the parent no longer needs it. */
  | { ok: false; cancel: string }
  /** Cannot be sent: the row itself is broken. */
  | { ok: false; fail: string };

/** `known`: the batch's reminder contents (reminderContents); looked up per row when absent. */
export async function compose(db: Db, row: ClaimedRow, now: Date, templates: TemplateCatalog, known?: Map<number, ReminderData | null>): Promise<Composed> {
  if (row.kind === REMINDER) {
    const data = known?.has(row.id) ? known.get(row.id)! : await reminderContent(db, row, now);
    if (!data) return { ok: false, cancel: 'reminder no longer needed' };
    return {
      ok: true,
      message: buildNotification(REMINDER, data),
      template: templateOf(templates, REMINDER, templateParams(REMINDER, data)),
      content: { kind: REMINDER, data },
    };
  }
  if (row.kind === STOPLIST_NOTICE) {
    const frozen = stopListDataFromPayload(row.payload);
    if (!frozen) return { ok: false, fail: 'stop-list notice payload is malformed' };
    // A parent who restored meanwhile (on another channel, say) is not told about it again.
    const still = await stillStopListed(db, row.parentId, frozen.queueNumbers);
    if (still.length === 0) return { ok: false, cancel: 'applications restored meanwhile' };
    const data = { ...frozen, queueNumbers: still };
    return {
      ok: true,
      message: buildNotification(STOPLIST_NOTICE, data),
      template: templateOf(templates, STOPLIST_NOTICE, templateParams(STOPLIST_NOTICE, data)),
      content: { kind: STOPLIST_NOTICE, data },
    };
  }
  if (isSupportKind(row.kind)) return composeSupport(db, row, templates);
  const event = registryEventOf(row.kind);
  if (event) {
    const payload = registryPayload(row.payload);
    if (!payload) return { ok: false, fail: 'registry notice payload is malformed' };
    const data = await registryNotification(db, event, payload, row.parentId);
    if (!data) return { ok: false, cancel: 'referral no longer current' };
    const kind = row.kind as RegistryNoticeKind;
    const t = templates[kind];
    const kk = registryTemplateParams(data, 'kk');
    const ru = registryTemplateParams(data, 'ru');
    return {
      ok: true,
      message: buildRegistryNotice(data),
      template: t && kk && ru ? { name: t.name, params: ru, paramsByLocale: { kk, ru }, buttonPayloads: t.buttonPayloads } : null,
      content: { kind, data },
    };
  }
  return { ok: false, fail: `unknown outbox kind ${row.kind}` };
}

/** The desk's messages: the reply's words are read from the thread at send time (the row names them). */
async function composeSupport(db: Db, row: ClaimedRow, templates: TemplateCatalog): Promise<Composed> {
  switch (row.kind) {
    case SUPPORT_REPLY: {
      const p = supportReplyPayloadSchema.safeParse(row.payload);
      if (!p.success) return { ok: false, fail: 'support reply payload is malformed' };
      const reply = await db.supportMessage.findUnique({ where: { id: p.data.messageId }, select: { text: true } });
      if (!reply?.text) return { ok: false, fail: 'support reply not found' };
      return { ok: true, message: supportReplyMessage(reply.text), template: null };
    }
    case SUPPORT_CLOSED: {
      if (!supportClosedPayloadSchema.safeParse(row.payload).success) return { ok: false, fail: 'support close payload is malformed' };
      const linked = (await db.chatLink.count({ where: { channel: row.channel, chatId: row.chatId } })) > 0;
      return { ok: true, message: supportClosedMessage(linked), template: null };
    }
    default: {
      const p = supportNudgePayloadSchema.safeParse(row.payload);
      if (!p.success) return { ok: false, fail: 'support template payload is malformed' };
      return { ok: true, message: supportNudgeMessage(), template: templateOf(templates, SUPPORT_NUDGE, [formatDate(p.data.since, false)]) };
    }
  }
}

async function stillStopListed(db: Db, parentId: number | null, queueNumbers: number[]): Promise<number[]> {
  if (parentId === null || queueNumbers.length === 0) return queueNumbers;
  const rows = await db.application.findMany({
    where: { parentId, queueNumber: { in: queueNumbers }, status: 'STOP_LISTED' },
    select: { queueNumber: true },
    orderBy: { queueNumber: 'asc' },
  });
  return rows.map((r) => r.queueNumber);
}

function templateOf(templates: TemplateCatalog, kind: CampaignKind | typeof SUPPORT_NUDGE, params: string[]): TemplateCall | null {
  const t = templates[kind];
  return t ? { name: t.name, params, buttonPayloads: t.buttonPayloads } : null;
}

/**
 * `reminderContent` for a whole claimed batch in two queries (the seasons, the counts per parent)
 * instead of two per row — the same rule: an ACTIVE application valid for less than the season
 * grants, before the deadline. Rows that are not reminders are absent from the result.
 */
export async function reminderContents(db: Db, rows: ClaimedRow[], now: Date): Promise<Map<number, ReminderData | null>> {
  const out = new Map<number, ReminderData | null>();
  const reminders = rows.filter((r) => r.kind === REMINDER);
  if (reminders.length === 0) return out;
  const seasonIds = [...new Set(reminders.map((r) => r.seasonId).filter((id): id is number => id !== null))];
  const seasons = new Map(
    (await db.season.findMany({ where: { id: { in: seasonIds } }, select: { id: true, deadline: true, validUntil: true } })).map((s) => [s.id, s]),
  );
  for (const [seasonId, season] of seasons) {
    const parents = [...new Set(reminders.filter((r) => r.seasonId === seasonId && r.parentId !== null).map((r) => r.parentId!))];
    const counts = await db.application.groupBy({
      by: ['parentId'],
      where: { parentId: { in: parents }, status: 'ACTIVE', validUntil: { lt: season.validUntil } },
      _count: { _all: true },
    });
    const countOf = new Map(counts.map((c) => [c.parentId, c._count._all]));
    for (const r of reminders.filter((x) => x.seasonId === seasonId)) {
      const count = r.parentId === null ? 0 : (countOf.get(r.parentId) ?? 0);
      const open = now.getTime() < season.deadline.getTime();
      out.set(r.id, open && count > 0 ? { count, deadline: season.deadline, daysLeft: daysLeft(season.deadline, now) } : null);
    }
  }
  for (const r of reminders) if (!out.has(r.id)) out.set(r.id, null);
  return out;
}
