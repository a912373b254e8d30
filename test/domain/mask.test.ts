import { describe, expect, it } from 'vitest';
import { maskIin, maskPersonalData, maskPhone } from '../../src/domain/mask.ts';

describe('maskIin', () => {
  it('keeps the first four and the last two digits', () => {
    expect(maskIin('900101300012')).toBe('9001••••••12');
    expect(maskIin('900101 300012')).toBe('9001••••••12');
  });

  it('masks a malformed value to its last two digits', () => {
    expect(maskIin('90010130001')).toBe('•••••••••01');
  });
});

describe('maskPhone', () => {
  it('keeps the first digit of the operator code and the last two digits', () => {
    expect(maskPhone('+77011234512')).toBe('+7 7•• ••• ••12');
    expect(maskPhone('8 (747) 123-45-99')).toBe('+7 7•• ••• ••99');
    expect(maskPhone('7011234512')).toBe('+7 7•• ••• ••12');
  });

  it('masks other numbers to their last two digits', () => {
    expect(maskPhone('+998901234567')).toBe('+••••••••••67');
  });
});

describe('maskPersonalData', () => {
  it('masks IINs and phones inside text', () => {
    expect(maskPersonalData('parent 900101312348 wrote from +77011234512')).toBe('parent 9001••••••48 wrote from +7 7•• ••• ••12');
  });

  it.each([
    ['phone 8 (701) 234-56-78.', 'phone +7 7•• ••• ••78.'],
    ['wa_id=77012345678', 'wa_id=+7 7•• ••• ••78'],
    ['{"phone":"+7 701 234 56 78"}', '{"phone":"+7 7•• ••• ••78"}'],
    ['Russian +7 912 345 67 89 too', 'Russian +7 9•• ••• ••89 too'],
    ['typed 900101 312348 with a space', 'typed 9001••••••48 with a space'],
    ['typed 9001-0131-2348', 'typed 9001••••••48'],
    ['typed 900 101 312 348', 'typed 9001••••••48'],
    ['iin:800101300012,', 'iin:8001••••••12,'], // starts with 8 but is 12 digits: not a phone
    ['two: 87012345678 900101312348', 'two: +7 7•• ••• ••78 9001••••••48'],
  ])('%j', (input, expected) => {
    expect(maskPersonalData(input)).toBe(expected);
  });

  it('leaves other numbers alone', () => {
    for (const text of [
      'took 1234 ms at 2026-01-15T12:30:00.000Z',
      'ts 1767225600000 id 42', // 13-digit epoch milliseconds
      'queue number 100234, chat 123456789',
      'order 12345678901234567890',
      'sections 1, 4, 7',
      'sections 1 2 3 4 5 6 7 8 9 10 11 12',
      'date 2026-09-01 12:30:45',
    ]) {
      expect(maskPersonalData(text)).toBe(text);
    }
  });

  it('leaves no twelve-digit run or phone visible', () => {
    const out = maskPersonalData('a 900101312348 b +77012345678 c 8 701 000 00 01 d 77472223344');
    expect(out).not.toMatch(/\d{5}/);
    expect(out).toBe('a 9001••••••48 b +7 7•• ••• ••78 c +7 7•• ••• ••01 d +7 7•• ••• ••44');
  });
});
