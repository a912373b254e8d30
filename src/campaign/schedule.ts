/**
 * The campaign's calendar as pure rules: when each reminder becomes due, the daytime window, and
 * when the purge is due. Everything takes `now`; nothing reads a clock.
 *
 * Rules (docs/product.md §5.2):
 * - A reminder "d days before the deadline" is due from the window start (09:00 Almaty) of the
 *   Almaty calendar day of `deadline − d × 24 h`. With a deadline of 25.12 23:59:59, "1 day" is
 *   24.12 09:00 and "0 days" is 25.12 09:00.
 * - The opening-day reminder is due from `opensAt` (or from the window start if the season opens
 *   at night).
 * - An offset whose moment lies before the season opened is skipped: the season opened late and
 *   the opening-day reminder speaks for it. (Without an opening-day reminder, the first reminder
 *   is simply the next offset still ahead.)
 * - A reminder stays due until the next one becomes due or the deadline passes, so a planner tick
 *   after downtime still plans it; only the LATEST due one is ever returned, so a restart after
 *   days of downtime sends one reminder, not a burst of stale ones.
 * - Nothing is due outside the daytime window [start, end) or from the deadline on.
 * - The purge is due from the deadline on (deadline itself included).
 */
import type { CampaignSettings } from '../config/env.ts';
import { addDays, fromAlmaty, toAlmaty } from '../domain/almaty-time.ts';
import { OPENING_OFFSET } from './outbox-kinds.ts';

export type DaytimeWindow = CampaignSettings['window'];
export type ScheduleSettings = Pick<CampaignSettings, 'reminderOffsetsDays' | 'remindOnOpening' | 'window'>;

export interface SeasonDates {
  opensAt: Date;
  deadline: Date;
}

export interface ReminderSlot {
  /** Days before the deadline, or OPENING_OFFSET for the opening-day reminder. */
  offsetDays: number;
  /** From this instant the reminder is due (still only inside the window). */
  dueFrom: Date;
}

/** Whether `now` is inside the daytime window [start, end), Almaty time. */
export function isWithinWindow(now: Date, window: DaytimeWindow): boolean {
  const { minuteOfDay } = toAlmaty(now);
  return minuteOfDay >= window.startMinute && minuteOfDay < window.endMinute;
}

/** The next instant the window is open: `now` itself when inside it. */
export function nextWindowOpening(now: Date, window: DaytimeWindow): Date {
  if (isWithinWindow(now, window)) return now;
  const local = toAlmaty(now);
  const day = local.minuteOfDay < window.startMinute ? local : addDays(local, 1);
  return fromAlmaty(day, window.startMinute);
}

/**
 * Every reminder of the season that will ever be due, earliest first (ties: the larger offset
 * first, so "latest due" prefers the one closer to the deadline).
 */
export function reminderSlots(season: SeasonDates, settings: ScheduleSettings): ReminderSlot[] {
  const slots: ReminderSlot[] = [];
  if (settings.remindOnOpening) slots.push({ offsetDays: OPENING_OFFSET, dueFrom: season.opensAt });
  for (const d of settings.reminderOffsetsDays) {
    const day = toAlmaty(new Date(season.deadline.getTime() - d * 86_400_000));
    const dueFrom = fromAlmaty(day, settings.window.startMinute);
    if (dueFrom.getTime() < season.opensAt.getTime()) continue;
    if (dueFrom.getTime() >= season.deadline.getTime()) continue;
    slots.push({ offsetDays: d, dueFrom });
  }
  return slots.sort((a, b) => a.dueFrom.getTime() - b.dueFrom.getTime() || slotRank(a.offsetDays) - slotRank(b.offsetDays));
}

// Opening first among equals, then larger offsets first.
const slotRank = (offsetDays: number) => (offsetDays === OPENING_OFFSET ? -Infinity : -offsetDays);

/** The reminder to plan now, or null: the latest slot already due, inside the window, before the deadline. */
export function dueReminder(season: SeasonDates, settings: ScheduleSettings, now: Date): ReminderSlot | null {
  if (now.getTime() < season.opensAt.getTime() || now.getTime() >= season.deadline.getTime()) return null;
  if (!isWithinWindow(now, settings.window)) return null;
  let due: ReminderSlot | null = null;
  for (const slot of reminderSlots(season, settings)) if (slot.dueFrom.getTime() <= now.getTime()) due = slot;
  return due;
}

export function isPurgeDue(season: Pick<SeasonDates, 'deadline'>, now: Date): boolean {
  return now.getTime() >= season.deadline.getTime();
}

/** Whole days from `now` to the deadline, counted in Almaty calendar days (0 on the deadline's day). */
export function daysLeft(deadline: Date, now: Date): number {
  const a = toAlmaty(now);
  const b = toAlmaty(deadline);
  return Math.max(0, Math.round((Date.UTC(b.year, b.month - 1, b.day) - Date.UTC(a.year, a.month - 1, a.day)) / 86_400_000));
}
