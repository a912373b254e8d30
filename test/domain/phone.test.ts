import { describe, expect, it } from 'vitest';
import { isNormalizedPhone, normalizePhone } from '../../src/domain/phone.ts';

describe('normalizePhone', () => {
  it.each([
    ['+7 701 234 56 78', '+77012345678'],
    ['8 (701) 234-56-78', '+77012345678'],
    ['87012345678', '+77012345678'],
    ['77012345678', '+77012345678'], // WhatsApp wa_id, Telegram contact without '+'
    ['7012345678', '+77012345678'],
    ['+7-701-234-5678', '+77012345678'],
    ['+7 (747) 123.45.67', '+77471234567'],
    ['\u00a0+7\u00a0777\u00a0000\u00a000\u00a001 ', '+77770000001'],
    ['+77172123456', '+77172123456'], // Astana landline
    ['87272123456', '+77272123456'], // Almaty landline
    ['+76001234567', '+76001234567'],
  ])('%j → %s', (input, expected) => {
    expect(normalizePhone(input)).toBe(expected);
  });

  it.each([
    ['', 'empty'],
    ['+7 912 345 67 89', 'Russian mobile'],
    ['89123456789', 'Russian mobile, trunk prefix'],
    ['+74951234567', 'Moscow landline'],
    ['+998 90 123 45 67', 'Uzbekistan'],
    ['+1 202 555 0100', 'USA'],
    ['+8 701 234 56 78', "'+' before the trunk prefix"],
    ['+7012345678', "ten digits after '+'"],
    ['+7 701 234 56 7', 'too short'],
    ['770123456789', 'too long'],
    ['8 701 234 56 789', 'too long with the trunk prefix'],
    ['701234567', 'nine digits'],
    ['+7 701 ABC 56 78', 'letters'],
    ['+7 701 234 56 78 ext 1', 'extension text'],
    ['7701234567a', 'trailing letter'],
    ['++77012345678', 'double plus'],
    ['77012345678+', 'plus at the end'],
    ['+7 701 234 56 78; +7 701 234 56 79', 'two numbers'],
  ])('%j is rejected (%s)', (input) => {
    expect(normalizePhone(input)).toBeNull();
  });

  it('is idempotent', () => {
    for (const input of ['+77012345678', '8 (701) 234-56-78', '7012345678']) {
      const once = normalizePhone(input)!;
      expect(normalizePhone(once)).toBe(once);
      expect(isNormalizedPhone(once)).toBe(true);
    }
  });
});

describe('isNormalizedPhone', () => {
  it('accepts only the stored form', () => {
    expect(isNormalizedPhone('+77012345678')).toBe(true);
    expect(isNormalizedPhone('77012345678')).toBe(false);
    expect(isNormalizedPhone('+79123456789')).toBe(false);
    expect(isNormalizedPhone('+7701234567')).toBe(false);
  });
});
