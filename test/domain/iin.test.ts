import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { iinCheckDigit, makeIin, parseIin } from '../../src/domain/iin.ts';

describe('iinCheckDigit', () => {
  it('uses weights 1..11 when their sum mod 11 is not 10', () => {
    // 9·1+0·2+0·3+1·4+0·5+1·6+3·7+1·8+2·9+3·10+4·11 = 140; 140 mod 11 = 8
    expect(iinCheckDigit('90010131234')).toBe(8);
  });

  it('falls back to weights 3..11,1,2 when the first sum gives 10', () => {
    // first: 8+16+0+20+5+30+21+0+0+20+0 = 120 ≡ 10; second: 24+32+0+30+7+40+27+0+0+2+0 = 162 ≡ 8
    expect(iinCheckDigit('88051530020')).toBe(8);
  });

  it('returns null when both weightings give 10', () => {
    // first: 120 + 1·11 = 131 ≡ 10; second: 162 + 1·2 = 164 ≡ 10
    expect(iinCheckDigit('88051530021')).toBeNull();
  });

  it('refuses anything but eleven digits', () => {
    expect(() => iinCheckDigit('9001013123')).toThrow(RangeError);
    expect(() => iinCheckDigit('9001013123a')).toThrow(RangeError);
  });
});

describe('parseIin', () => {
  it('accepts a valid IIN and reads the birth date and sex', () => {
    expect(parseIin('900101312348')).toEqual({
      ok: true,
      iin: '900101312348',
      birthDate: new Date('1990-01-01T00:00:00Z'),
      sex: 'M',
    });
    expect(parseIin('850623412340')).toMatchObject({ ok: true, sex: 'F', birthDate: new Date('1985-06-23T00:00:00Z') });
  });

  it('accepts an IIN validated by the second weighting', () => {
    expect(parseIin('880515300208')).toMatchObject({ ok: true, sex: 'M', birthDate: new Date('1988-05-15T00:00:00Z') });
  });

  it('reads the century from digit 7', () => {
    const y1800 = parseIin(makeIin(new Date(Date.UTC(1899, 11, 31)), 'F', 1));
    expect(y1800).toMatchObject({ ok: true, sex: 'F', birthDate: new Date('1899-12-31T00:00:00Z') });
    if (y1800.ok) expect(y1800.iin[6]).toBe('2');
    const y2000 = parseIin('200229612347'); // 29 February of a leap year, a girl
    expect(y2000).toMatchObject({ ok: true, sex: 'F', birthDate: new Date('2020-02-29T00:00:00Z') });
  });

  it('tolerates spaces and dashes between digits only', () => {
    expect(parseIin(' 900101 312348 ')).toMatchObject({ ok: true, iin: '900101312348' });
    expect(parseIin('900101-3123-48')).toMatchObject({ ok: true, iin: '900101312348' });
    expect(parseIin('900101.312348')).toEqual({ ok: false, error: 'format' });
    expect(parseIin('900101_312348')).toEqual({ ok: false, error: 'format' });
  });

  it.each([
    ['', 'format'],
    ['90010131234', 'format'],
    ['9001013123480', 'format'],
    ['90010131234O', 'format'],
    ['９００１０１３１２３４８', 'format'], // full-width digits are not ASCII digits
    ['900101012348', 'century'],
    ['900101712348', 'century'],
    ['900101912348', 'century'],
    ['901301312348', 'birthDate'],
    ['900001312348', 'birthDate'],
    ['900100312348', 'birthDate'],
    ['900431312348', 'birthDate'],
    ['010229512348', 'birthDate'], // 2001 is not a leap year
    ['000229312348', 'birthDate'], // neither is 1900
    ['900101312341', 'checkDigit'],
    ['880515300200', 'checkDigit'],
    ['880515300210', 'unassignable'],
    ['880515300219', 'unassignable'],
  ] as const)('%s → %s', (input, error) => {
    expect(parseIin(input)).toEqual({ ok: false, error });
  });

  it('rejects every single-digit typo in the check digit', () => {
    for (let d = 0; d <= 9; d++) {
      if (d === 8) continue;
      expect(parseIin(`90010131234${d}`)).toEqual({ ok: false, error: 'checkDigit' });
    }
  });
});

describe('makeIin', () => {
  it('encodes date, century, sex and serial', () => {
    expect(makeIin(new Date(Date.UTC(1990, 0, 1)), 'M', 1234)).toBe('900101312348');
    expect(makeIin(new Date(Date.UTC(2020, 1, 29)), 'F', 1234)).toBe('200229612347');
  });

  it('skips an unassignable serial deterministically', () => {
    // serial 0021 on 1988-05-15 (male) is unassignable, 0022 is not
    expect(makeIin(new Date(Date.UTC(1988, 4, 15)), 'M', 21)).toBe(makeIin(new Date(Date.UTC(1988, 4, 15)), 'M', 22));
    expect(makeIin(new Date(Date.UTC(1988, 4, 15)), 'M', 22).slice(7, 11)).toBe('0022');
  });

  it('rejects out-of-range input', () => {
    expect(() => makeIin(new Date(Date.UTC(2100, 0, 1)), 'M', 1)).toThrow(RangeError);
    expect(() => makeIin(new Date(Date.UTC(1799, 11, 31)), 'M', 1)).toThrow(RangeError);
    expect(() => makeIin(new Date(Date.UTC(1990, 0, 1)), 'M', 10_000)).toThrow(RangeError);
    expect(() => makeIin(new Date(Date.UTC(1990, 0, 1)), 'M', 1.5)).toThrow(RangeError);
    expect(() => makeIin(new Date(Number.NaN), 'M', 1)).toThrow(RangeError);
  });

  it('always builds an IIN that parses back to the same date and sex', () => {
    const day = 86_400_000;
    const from = Date.UTC(1800, 0, 1) / day;
    const to = Date.UTC(2099, 11, 31) / day;
    fc.assert(
      fc.property(
        fc.integer({ min: from, max: to }),
        fc.constantFrom('M' as const, 'F' as const),
        fc.integer({ min: 0, max: 9999 }),
        (dayNumber, sex, serial) => {
          const birthDate = new Date(dayNumber * day);
          const iin = makeIin(birthDate, sex, serial);
          const parsed = parseIin(iin);
          expect(parsed).toEqual({ ok: true, iin, birthDate, sex });
          // The serial is kept unless it was unassignable.
          const kept = iin.slice(7, 11) === String(serial).padStart(4, '0');
          expect(kept || iinCheckDigit(iin.slice(0, 7) + String(serial).padStart(4, '0')) === null).toBe(true);
        },
      ),
      { seed: 20_260_101, numRuns: 2_000 },
    );
  });
});
