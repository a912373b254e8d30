/**
 * Urgent notices (a referral: it lapses within days) go at once, outside the reminders' daytime
 * window, but never between 23:00 and 07:00 Almaty time: then they wait for 07:00.
 */
import { isWithinWindow, nextWindowOpening, type DaytimeWindow } from './schedule.ts';

export const URGENT_WINDOW: DaytimeWindow = { startMinute: 7 * 60, endMinute: 23 * 60 };

/** When an urgent notice planned at `now` may go: `now`, or the next 07:00. */
export function urgentDueAt(now: Date): Date {
  return nextWindowOpening(now, URGENT_WINDOW);
}

export function isQuietHour(now: Date): boolean {
  return !isWithinWindow(now, URGENT_WINDOW);
}
