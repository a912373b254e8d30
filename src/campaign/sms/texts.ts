/**
 * The SMS texts of the campaign's notifications (locales/<lng>/sms.json), and their size in parts.
 *
 * An SMS is the last resort and every part is paid for, so the texts are written to fit two UCS-2
 * parts (134 characters: Cyrillic is never GSM-7) with the link to the SMS's page for a PUBLIC_URL
 * of up to 40 characters (`<PUBLIC_URL>/s/` + a 24-character token: 67): one line of what to do
 * and by when, the link on a line of its own (it must not run into the words around it), and how
 * to stop (on the same page: an SMS from a sender name cannot be answered). The chat messages'
 * details (queue numbers, days left, the time of day) do not fit and wait behind the link. The
 * deadline is shown as its Almaty day ("до 25.12"): read as "before that day", it never tells a
 * parent they have more time than they do.
 */
import type { Locale } from '../../conversation/core/views.ts';
import type { Param, Text } from '../../conversation/core/io.ts';
import { toAlmaty } from '../../domain/almaty-time.ts';
import type { Translator } from '../../i18n/translator.ts';
import type { NotificationContent } from '../notifications.ts';
import { countSegments, type SegmentCount } from './segments.ts';

const text = (key: string, params?: Record<string, Param>): Text => (params ? { key, params } : { key });

/** "25.12": the day and month in Almaty; the year is the season's, and every character costs. */
export function dayMonth(at: Date): string {
  const d = toAlmaty(at);
  return `${String(d.day).padStart(2, '0')}.${String(d.month).padStart(2, '0')}`;
}

export function smsText(tr: Translator, content: NotificationContent, locale: Locale, link: string): string {
  const stop = text('sms.stop');
  if (content.kind === 'REMINDER') {
    return tr.render(locale, text('sms.reminder', { count: content.data.count, date: dayMonth(content.data.deadline), link, stop }));
  }
  if (content.kind === 'STOPLIST_NOTICE') return tr.render(locale, text('sms.stopList', { count: content.data.queueNumbers.length, link, stop }));
  const d = content.data;
  if (d.event === 'REFERRAL_ISSUED') {
    const date = d.acceptBy ? dayMonth(d.acceptBy) : null;
    return tr.render(locale, text(date ? 'sms.referral' : 'sms.referralSoon', { number: String(d.queueNumber), ...(date ? { date } : {}), link, stop }));
  }
  return tr.render(locale, text('sms.registryNews', { number: String(d.queueNumber), link, stop }));
}

/** The parts a notification's SMS takes: what the plan shows and the daily budget counts. */
export function smsSegments(tr: Translator, content: NotificationContent, locale: Locale, link: string): SegmentCount {
  return countSegments(smsText(tr, content, locale, link));
}
