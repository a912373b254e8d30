/**
 * The neutral content of the campaign's messages: a core `Message` a channel renders like any
 * screen (the text in the chat link's language, at send time), and the positional parameters of
 * the matching WhatsApp template (bots/whatsapp/templates.json) for when the 24-hour window is
 * closed. Each carries one command button, which works on any keyboard and any day: a tap on
 * "Extend" opens the questionnaire, on "Restore" the restore flow ("x.extend", "x.restore").
 */
import { stopListPayloadSchema } from './outbox/payloads.ts';
import type { Message, Param, Text } from '../conversation/core/io.ts';
import { formatDate } from '../i18n/format.ts';
import type { CampaignKind, RegistryNoticeKind } from './outbox-kinds.ts';
import type { RegistryNotification } from './registry-notices.ts';

export interface ReminderNotification {
  /** Applications needing extension. */
  count: number;
  deadline: Date;
  /** Almaty calendar days left until the deadline; 0 on its day. */
  daysLeft: number;
}

export interface StopListNotification {
  queueNumbers: number[];
  stopListedAt: Date;
}

export type NotificationData<K extends CampaignKind> = K extends 'REMINDER' ? ReminderNotification : StopListNotification;

/** A notification as data, for channels that write their own short text (SMS). */
export type NotificationContent =
  | { kind: 'REMINDER'; data: ReminderNotification }
  | { kind: 'STOPLIST_NOTICE'; data: StopListNotification }
  | { kind: RegistryNoticeKind; data: RegistryNotification };

const text = (key: string, params?: Record<string, Param>): Text => (params ? { key, params } : { key });

function reminderMessage(d: ReminderNotification): Message {
  const deadline = { date: d.deadline.toISOString(), withTime: true };
  return {
    kind: 'message',
    body: [
      text('campaign.reminder.count', { count: d.count }),
      d.daysLeft === 0 ? text('campaign.reminder.lastDay', { deadline }) : text('campaign.reminder.daysLeft', { count: d.daysLeft, deadline }),
      text('campaign.reminder.howTo'),
    ],
    buttons: [{ text: text('campaign.reminder.button'), action: { type: 'command', name: 'extend' }, role: 'option' }],
    seq: 0,
    mode: 'new',
  };
}

function stopListMessage(d: StopListNotification): Message {
  const numbers: Param = { list: d.queueNumbers.map((number) => text('campaign.stopList.number', { number: String(number) })) };
  return {
    kind: 'message',
    body: [
      text('campaign.stopList.moved', { count: d.queueNumbers.length, numbers, date: { date: d.stopListedAt.toISOString() } }),
      text('campaign.stopList.howTo'),
    ],
    buttons: [{ text: text('campaign.stopList.button'), action: { type: 'command', name: 'restore' }, role: 'option' }],
    seq: 0,
    mode: 'new',
  };
}

/** The message to send in the chat's language; seq 0 because its only button is a command. */
export function buildNotification<K extends CampaignKind>(kind: K, data: NotificationData<K>): Message {
  return kind === 'REMINDER' ? reminderMessage(data as ReminderNotification) : stopListMessage(data as StopListNotification);
}

/**
 * The body parameters of the WhatsApp template (`TEMPLATES.reminder` / `TEMPLATES.stopListNotice`,
 * two each), language-neutral as the template file documents them:
 * reminder → [count, deadline "dd.mm.yyyy hh:mm" Almaty]; notice → ["№ 1, № 2", date "dd.mm.yyyy"].
 */
export function templateParams<K extends CampaignKind>(kind: K, data: NotificationData<K>): string[] {
  if (kind === 'REMINDER') {
    const d = data as ReminderNotification;
    return [String(d.count), formatDate(d.deadline.toISOString(), true)];
  }
  const d = data as StopListNotification;
  return [d.queueNumbers.map((n) => `№ ${n}`).join(', '), formatDate(d.stopListedAt.toISOString(), false)];
}

/** A stop-list notice's data from its outbox payload (written by the purge). */
export function stopListDataFromPayload(payload: unknown): StopListNotification | null {
  const p = stopListPayloadSchema.safeParse(payload);
  return p.success ? { queueNumbers: p.data.queueNumbers, stopListedAt: new Date(p.data.stopListedAt) } : null;
}
