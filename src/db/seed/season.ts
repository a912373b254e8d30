import type { SeedSeason } from './registry.ts';

const DAY_MS = 86_400_000;
const ALMATY = 'Asia/Almaty';

/** The calendar day in Asia/Almaty at an instant. */
function almatyDay(at: Date): { year: number; month: number; day: number } {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: ALMATY, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return { year: get('year'), month: get('month'), day: get('day') };
}

/** Asia/Almaty's offset from UTC at an instant, ms (UTC+5 since 2024, UTC+6 before). */
function almatyOffsetMs(at: Date): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: ALMATY,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(at.getTime() / 1000) * 1000;
}

/** The instant when Almaty clocks show 23:59:59 on the given day. */
function almatyEndOfDay(year: number, month: number, day: number): Date {
  const wall = Date.UTC(year, month - 1, day, 23, 59, 59);
  return new Date(wall - almatyOffsetMs(new Date(wall)));
}

/**
 * The demo season around `now`: opened a week ago, the purge deadline at the end of the Almaty day
 * 30 days ahead, and extension granting one more year after that.
 */
export function demoSeason(now: Date): SeedSeason {
  const deadlineDay = almatyDay(new Date(now.getTime() + 30 * DAY_MS));
  return {
    code: String(almatyDay(now).year),
    opensAt: new Date(now.getTime() - 7 * DAY_MS),
    deadline: almatyEndOfDay(deadlineDay.year, deadlineDay.month, deadlineDay.day),
    validUntil: almatyEndOfDay(deadlineDay.year + 1, deadlineDay.month, deadlineDay.day === 29 && deadlineDay.month === 2 ? 28 : deadlineDay.day),
  };
}

/** The previous season's purge moment: where this year's stop-listed applications came from. */
export function previousDeadline(season: SeedSeason): Date {
  const d = new Date(season.deadline);
  d.setUTCFullYear(d.getUTCFullYear() - 1);
  return d;
}
