/**
 * Asia/Almaty wall-clock arithmetic, whatever the server's zone. The offset comes from Intl's time
 * zone data (UTC+5 since March 2024, UTC+6 before), the same data the text renderer uses, so a
 * deadline shown to a parent and the moment the purge runs never disagree.
 */

export const ALMATY = 'Asia/Almaty';
const MINUTE_MS = 60_000;

const OFFSET_FORMAT = new Intl.DateTimeFormat('en-US', { timeZone: ALMATY, timeZoneName: 'longOffset' });

/** Offsets cached per hour of UTC: a registry import converts a million dates over few distinct days. */
const offsetCache = new Map<number, number>();

/** Minutes Almaty is ahead of UTC at this instant (300 today). */
export function almatyOffsetMinutes(at: Date): number {
  const hour = Math.floor(at.getTime() / 3_600_000);
  const cached = offsetCache.get(hour);
  if (cached !== undefined) return cached;
  const name = OFFSET_FORMAT.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  const minutes = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  if (offsetCache.size > 100_000) offsetCache.clear();
  offsetCache.set(hour, minutes);
  return minutes;
}

export interface LocalDate {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
}

export interface LocalDateTime extends LocalDate {
  /** Minutes after local midnight. */
  minuteOfDay: number;
  second: number;
}

/** The Almaty calendar date and time of an instant. */
export function toAlmaty(at: Date): LocalDateTime {
  const shifted = new Date(at.getTime() + almatyOffsetMinutes(at) * MINUTE_MS);
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    minuteOfDay: shifted.getUTCHours() * 60 + shifted.getUTCMinutes(),
    second: shifted.getUTCSeconds(),
  };
}

/** The instant of an Almaty wall-clock time (day overflow such as day 0 or 32 normalises). */
export function fromAlmaty(date: LocalDate, minuteOfDay = 0, second = 0): Date {
  const asUtc = Date.UTC(date.year, date.month - 1, date.day, 0, minuteOfDay, second);
  // The offset at the guessed instant, then re-checked: exact for Almaty's whole-hour history.
  let instant = asUtc - almatyOffsetMinutes(new Date(asUtc)) * MINUTE_MS;
  instant = asUtc - almatyOffsetMinutes(new Date(instant)) * MINUTE_MS;
  return new Date(instant);
}

/** The Almaty calendar date `days` after (or before, if negative) the given one. */
export function addDays(date: LocalDate, days: number): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

export class DateParseError extends Error {
  constructor(input: string) {
    super(`"${input}" is not a date: write YYYY-MM-DD or YYYY-MM-DD HH:MM (Asia/Almaty time), e.g. 2026-12-25 23:59`);
    this.name = 'DateParseError';
  }
}

/**
 * An operator's date in Almaty time: "2026-12-25 23:59", "2026-12-25T23:59:30" or "2026-12-25".
 * A date without a time means the start of that day, or its last second (23:59:59) with
 * `dateOnly: 'endOfDay'` — how a deadline written as a bare date is meant.
 */
export function parseAlmatyDateTime(input: string, opts: { dateOnly?: 'startOfDay' | 'endOfDay' } = {}): Date {
  const m = /^\s*(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?\s*$/.exec(input);
  if (!m) throw new DateParseError(input);
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) throw new DateParseError(input);
  if (m[4] === undefined) {
    return opts.dateOnly === 'endOfDay' ? fromAlmaty({ year, month, day }, 23 * 60 + 59, 59) : fromAlmaty({ year, month, day });
  }
  const [hour, minute, second] = [Number(m[4]), Number(m[5]), Number(m[6] ?? 0)];
  if (hour > 23 || minute > 59 || second > 59) throw new DateParseError(input);
  return fromAlmaty({ year, month, day }, hour * 60 + minute, second);
}

/** "2026-12-25 23:59:59" in Almaty time, for operator output. */
export function formatAlmaty(at: Date): string {
  const t = toAlmaty(at);
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `${t.year}-${p2(t.month)}-${p2(t.day)} ${p2(Math.floor(t.minuteOfDay / 60))}:${p2(t.minuteOfDay % 60)}:${p2(t.second)}`;
}
