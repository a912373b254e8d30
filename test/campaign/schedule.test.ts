import { describe, expect, it } from 'vitest';
import { OPENING_OFFSET } from '../../src/campaign/outbox-kinds.ts';
import { daysLeft, dueReminder, isPurgeDue, isWithinWindow, nextWindowOpening, reminderSlots } from '../../src/campaign/schedule.ts';
import { almaty, SEASON_DATES, SETTINGS } from './support.ts';

const due = (at: string, season = SEASON_DATES, settings = SETTINGS) => dueReminder(season, settings, almaty(at))?.offsetDays ?? null;

describe('daytime window (Asia/Almaty, whatever the server zone)', () => {
  it('opens at 09:00 and closes at 20:00', () => {
    expect(isWithinWindow(almaty('2026-11-25 08:59'), SETTINGS.window)).toBe(false);
    expect(isWithinWindow(new Date(almaty('2026-11-25 09:00').getTime() - 1), SETTINGS.window)).toBe(false);
    expect(isWithinWindow(almaty('2026-11-25 09:00'), SETTINGS.window)).toBe(true);
    expect(isWithinWindow(almaty('2026-11-25 19:59:59'), SETTINGS.window)).toBe(true);
    expect(isWithinWindow(almaty('2026-11-25 20:00'), SETTINGS.window)).toBe(false);
  });

  it('09:00 Almaty is 04:00 UTC (UTC+5)', () => {
    expect(isWithinWindow(new Date('2026-11-25T04:00:00Z'), SETTINGS.window)).toBe(true);
    expect(isWithinWindow(new Date('2026-11-25T03:59:59Z'), SETTINGS.window)).toBe(false);
  });

  it('names the next opening', () => {
    expect(nextWindowOpening(almaty('2026-11-25 21:30'), SETTINGS.window)).toEqual(almaty('2026-11-26 09:00'));
    expect(nextWindowOpening(almaty('2026-11-25 03:00'), SETTINGS.window)).toEqual(almaty('2026-11-25 09:00'));
    expect(nextWindowOpening(almaty('2026-11-25 12:00'), SETTINGS.window)).toEqual(almaty('2026-11-25 12:00'));
  });
});

describe('reminder slots', () => {
  it('every offset at 09:00 Almaty of its day, the opening one at the opening', () => {
    expect(reminderSlots(SEASON_DATES, SETTINGS)).toEqual([
      { offsetDays: OPENING_OFFSET, dueFrom: almaty('2026-10-01 10:00') },
      { offsetDays: 30, dueFrom: almaty('2026-11-25 09:00') },
      { offsetDays: 14, dueFrom: almaty('2026-12-11 09:00') },
      { offsetDays: 7, dueFrom: almaty('2026-12-18 09:00') },
      { offsetDays: 3, dueFrom: almaty('2026-12-22 09:00') },
      { offsetDays: 1, dueFrom: almaty('2026-12-24 09:00') },
    ]);
  });

  it('a season that opens late skips the offsets already behind it', () => {
    const late = { ...SEASON_DATES, opensAt: almaty('2026-12-15 12:00') };
    expect(reminderSlots(late, SETTINGS).map((s) => s.offsetDays)).toEqual([OPENING_OFFSET, 7, 3, 1]);
    expect(reminderSlots(late, { ...SETTINGS, remindOnOpening: false }).map((s) => s.offsetDays)).toEqual([7, 3, 1]);
  });

  it('a deadline at midnight: "1 day before" is the day before, "0 days" would be after it and is dropped', () => {
    const midnight = { ...SEASON_DATES, deadline: almaty('2026-12-26 00:00') };
    const slots = reminderSlots(midnight, { ...SETTINGS, reminderOffsetsDays: [1, 0] });
    expect(slots.map((s) => [s.offsetDays, s.dueFrom])).toEqual([
      [OPENING_OFFSET, almaty('2026-10-01 10:00')],
      [1, almaty('2026-12-25 09:00')],
    ]);
  });
});

describe('which reminder is due', () => {
  it('each offset becomes due at its Almaty moment, not a minute earlier', () => {
    const cases: [string, number][] = [
      ['2026-11-25', 30],
      ['2026-12-11', 14],
      ['2026-12-18', 7],
      ['2026-12-22', 3],
      ['2026-12-24', 1],
    ];
    let previous: number = OPENING_OFFSET;
    for (const [day, offset] of cases) {
      expect(due(`${day} 08:59`), `${day} 08:59`).toBeNull(); // window closed
      expect(due(`${day} 09:00`), `${day} 09:00`).toBe(offset);
      expect(due(`${day} 19:59`)).toBe(offset);
      expect(due(`${day} 20:00`)).toBeNull();
      // the evening before, the previous reminder is still the one due
      const eve = new Date(almaty(`${day} 09:00`).getTime() - 14 * 3600_000);
      expect(dueReminder(SEASON_DATES, SETTINGS, eve)?.offsetDays).toBe(previous);
      previous = offset;
    }
  });

  it('the opening-day reminder is due from the opening, in the window', () => {
    expect(due('2026-10-01 09:59')).toBeNull();
    expect(due('2026-10-01 10:00')).toBe(OPENING_OFFSET);
    const night = { ...SEASON_DATES, opensAt: almaty('2026-10-01 22:00') };
    expect(due('2026-10-01 22:30', night)).toBeNull();
    expect(due('2026-10-02 08:59', night)).toBeNull();
    expect(due('2026-10-02 09:00', night)).toBe(OPENING_OFFSET);
  });

  it('after downtime only the latest due offset is due (no burst of stale ones)', () => {
    // down from before the 30-day reminder until after the 7-day one
    expect(due('2026-12-19 13:00')).toBe(7);
    // and on the deadline's day the 1-day reminder still catches up
    expect(due('2026-12-25 09:00')).toBe(1);
  });

  it('nothing is due before the opening or from the deadline on', () => {
    expect(due('2026-09-30 12:00')).toBeNull();
    const afterDeadline = { ...SEASON_DATES, deadline: almaty('2026-12-25 12:00') };
    expect(due('2026-12-25 11:59', afterDeadline)).toBe(1);
    expect(due('2026-12-25 12:00', afterDeadline)).toBeNull();
    expect(due('2026-12-26 10:00')).toBeNull();
  });

  it('over the whole season, minute by 7 minutes: due only in the window, never going back to an earlier offset', () => {
    const order = reminderSlots(SEASON_DATES, SETTINGS).map((s) => s.offsetDays);
    let lastIndex = -1;
    const seen = new Set<number>();
    for (let t = almaty('2026-09-30 00:00').getTime(); t < almaty('2026-12-27 00:00').getTime(); t += 7 * 60_000) {
      const now = new Date(t);
      const slot = dueReminder(SEASON_DATES, SETTINGS, now);
      if (!slot) continue;
      expect(isWithinWindow(now, SETTINGS.window)).toBe(true);
      expect(slot.dueFrom.getTime()).toBeLessThanOrEqual(t);
      const index = order.indexOf(slot.offsetDays);
      expect(index).toBeGreaterThanOrEqual(lastIndex);
      lastIndex = index;
      seen.add(slot.offsetDays);
    }
    expect([...seen]).toEqual(order);
  });
});

describe('purge moment and days left', () => {
  it('the purge is due at the deadline itself', () => {
    const season = { deadline: almaty('2026-12-26 00:00') };
    expect(isPurgeDue(season, almaty('2026-12-25 23:59:59'))).toBe(false);
    expect(isPurgeDue(season, almaty('2026-12-26 00:00:00'))).toBe(true);
  });

  it('days left count Almaty calendar days', () => {
    expect(daysLeft(SEASON_DATES.deadline, almaty('2026-12-24 09:00'))).toBe(1);
    expect(daysLeft(SEASON_DATES.deadline, almaty('2026-12-25 09:00'))).toBe(0);
    expect(daysLeft(SEASON_DATES.deadline, almaty('2026-11-25 19:59'))).toBe(30);
    expect(daysLeft(SEASON_DATES.deadline, almaty('2027-01-01 09:00'))).toBe(0);
  });
});
