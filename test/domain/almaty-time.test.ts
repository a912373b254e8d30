import { describe, expect, it } from 'vitest';
import { DateParseError, formatAlmaty, parseAlmatyDateTime, toAlmaty } from '../../src/domain/almaty-time.ts';

describe('Almaty date-times for operators', () => {
  it('reads a date and time as Almaty wall-clock time (UTC+5)', () => {
    expect(parseAlmatyDateTime('2026-12-25 23:59').toISOString()).toBe('2026-12-25T18:59:00.000Z');
    expect(parseAlmatyDateTime('2026-12-25T23:59:30').toISOString()).toBe('2026-12-25T18:59:30.000Z');
  });

  it('a bare date is the start of the day, or its last second for a deadline', () => {
    expect(parseAlmatyDateTime('2026-10-01').toISOString()).toBe('2026-09-30T19:00:00.000Z');
    expect(parseAlmatyDateTime('2026-12-25', { dateOnly: 'endOfDay' }).toISOString()).toBe('2026-12-25T18:59:59.000Z');
  });

  it('uses the zone history (UTC+6 before March 2024)', () => {
    expect(parseAlmatyDateTime('2023-12-25 09:00').toISOString()).toBe('2023-12-25T03:00:00.000Z');
  });

  it('refuses what is not a date', () => {
    for (const bad of ['', '25.12.2026', '2026-02-30', '2026-12-25 24:00', '2026-13-01', '2026-12-25 9:00', 'tomorrow']) {
      expect(() => parseAlmatyDateTime(bad), bad).toThrow(DateParseError);
    }
  });

  it('formats and splits instants in Almaty time', () => {
    expect(formatAlmaty(new Date('2026-12-25T19:00:00Z'))).toBe('2026-12-26 00:00:00');
    expect(toAlmaty(new Date('2026-12-25T19:00:00Z'))).toEqual({ year: 2026, month: 12, day: 26, minuteOfDay: 0, second: 0 });
  });
});
