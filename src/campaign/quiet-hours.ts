/**
 * Urgent notices (a referral: it lapses within days) go at once, outside the reminders' daytime
 * window, but never between 23:00 and 07:00 Almaty time: then they wait for 07:00 (URGENT_WINDOW
 * changes the hours). The import plans them due at once; the dispatcher holds one claimed in the
 * quiet hours until the window opens, so the hours are decided in one place.
 */
import type { ReminderHold } from './busy-chats.ts';
import { registryEventOf, URGENT_EVENT_KINDS } from './outbox-kinds.ts';
import { isWithinWindow, nextWindowOpening, type DaytimeWindow } from './schedule.ts';

export const URGENT_WINDOW: DaytimeWindow = { startMinute: 7 * 60, endMinute: 23 * 60 };

/**
 * Whether a registry notice claimed at `now` must wait: an urgent one (a referral) only through the
 * quiet hours, the others (enrolled, withdrawn, a new application) until the reminders' daytime
 * window. Null for other rows, and when it may go now. Never the busy-chat hold: news of the
 * parent's own application is what they want to see, also mid-conversation.
 */
export function registryHold(kind: string, now: Date, window: DaytimeWindow, urgentWindow: DaytimeWindow = URGENT_WINDOW): ReminderHold | null {
  const event = registryEventOf(kind);
  if (!event) return null;
  const open = URGENT_EVENT_KINDS.has(event) ? urgentWindow : window;
  return isWithinWindow(now, open) ? null : { until: nextWindowOpening(now, open), reason: 'night' };
}
