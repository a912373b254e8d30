/**
 * Kazakhstan individual identification number (IIN, ЖСН/ИИН), docs/product.md §3.2:
 * digits 1–6 the birth date YYMMDD, digit 7 the century and sex, digits 8–11 a serial,
 * digit 12 a check digit over digits 1–11.
 */

export type IinError = 'format' | 'birthDate' | 'century' | 'checkDigit' | 'unassignable';

export type Sex = 'M' | 'F';

export type IinParseResult = { ok: true; iin: string; birthDate: Date; sex: Sex } | { ok: false; error: IinError };

const FIRST_WEIGHTS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] as const;
const SECOND_WEIGHTS = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2] as const;

/** Digit 7: the first year of the century, odd for men and even for women. */
const CENTURY_BY_DIGIT: Readonly<Record<string, { century: number; sex: Sex }>> = {
  '1': { century: 1800, sex: 'M' },
  '2': { century: 1800, sex: 'F' },
  '3': { century: 1900, sex: 'M' },
  '4': { century: 1900, sex: 'F' },
  '5': { century: 2000, sex: 'M' },
  '6': { century: 2000, sex: 'F' },
};

/** Over the string's first eleven characters, digits all (char code − '0'). */
function weightedSum(digits: string, weights: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += (digits.charCodeAt(i) - 48) * weights[i]!;
  return sum % 11;
}

/** The check digit of a string whose first eleven characters are digits (see iinCheckDigit). */
function checkDigitOf(digits: string): number | null {
  const first = weightedSum(digits, FIRST_WEIGHTS);
  if (first !== 10) return first;
  const second = weightedSum(digits, SECOND_WEIGHTS);
  return second === 10 ? null : second;
}

/**
 * The check digit for the first eleven digits, or null when neither weighting yields a digit
 * (such a serial is never assigned, so an IIN ending in it cannot exist).
 */
export function iinCheckDigit(first11: string): number | null {
  if (!/^\d{11}$/.test(first11)) throw new RangeError('iinCheckDigit expects exactly 11 digits');
  return checkDigitOf(first11);
}

const TWELVE_DIGITS = /^\d{12}$/;

/** A UTC-midnight date, or null when the parts are not a real calendar day. */
function calendarDate(year: number, month: number, day: number): Date | null {
  const date = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC maps years 0–99 to 1900–1999; every IIN year is at least 1800, so no fix-up needed.
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return date;
}

/**
 * Validates an IIN as a parent types it: spaces and dashes between digits are tolerated, anything
 * else is a format error. Checks run in the order format → century → birth date → check digit.
 */
export function parseIin(input: string): IinParseResult {
  // Twelve bare digits, as registry files and most parents give it, need no cleaning.
  const bare = TWELVE_DIGITS.test(input);
  const iin = bare ? input : input.replace(/[\s-]/g, '');
  if (!bare && !TWELVE_DIGITS.test(iin)) return { ok: false, error: 'format' };

  const centuryAndSex = CENTURY_BY_DIGIT[iin[6]!];
  if (centuryAndSex === undefined) return { ok: false, error: 'century' };

  const year = centuryAndSex.century + Number(iin.slice(0, 2));
  const birthDate = calendarDate(year, Number(iin.slice(2, 4)), Number(iin.slice(4, 6)));
  if (birthDate === null) return { ok: false, error: 'birthDate' };

  const check = checkDigitOf(iin);
  if (check === null) return { ok: false, error: 'unassignable' };
  if (check !== iin.charCodeAt(11) - 48) return { ok: false, error: 'checkDigit' };

  return { ok: true, iin, birthDate, sex: centuryAndSex.sex };
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/**
 * Builds a valid IIN for a birth date (its UTC calendar day), sex and serial 0–9999. When the
 * serial's check digit is unassignable the next serial is taken (wrapping 9999 → 0000); such a
 * step always succeeds because digit 11 weighs 11 ≡ 0 in the first sum but 2 in the second.
 */
export function makeIin(birthDate: Date, sex: Sex, serial: number): string {
  const year = birthDate.getUTCFullYear();
  if (!Number.isFinite(birthDate.getTime()) || year < 1800 || year > 2099) throw new RangeError('makeIin: birth year must be within 1800–2099');
  if (!Number.isInteger(serial) || serial < 0 || serial > 9999) throw new RangeError('makeIin: serial must be an integer 0–9999');

  const centuryIndex = Math.floor((year - 1800) / 100); // 0, 1 or 2
  const centuryDigit = 1 + centuryIndex * 2 + (sex === 'F' ? 1 : 0);
  const head = pad(year % 100, 2) + pad(birthDate.getUTCMonth() + 1, 2) + pad(birthDate.getUTCDate(), 2) + String(centuryDigit);

  for (let step = 0; step < 10_000; step++) {
    const first11 = head + pad((serial + step) % 10_000, 4);
    const check = iinCheckDigit(first11);
    if (check !== null) return first11 + String(check);
  }
  // Unreachable (see above); kept so a broken invariant fails loudly instead of looping.
  throw new Error('makeIin: no assignable serial');
}
