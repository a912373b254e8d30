/**
 * Masking of personal data for logs and operator output (docs/product.md §7): enough is left to tell two
 * records apart while reading a log, never enough to identify a person.
 */

const BULLET = '•';

/** `900101300012` → `9001••••••12`: birth year and month, and the last two digits. */
export function maskIin(iin: string): string {
  const digits = iin.replace(/\D/g, '');
  if (digits.length !== 12) return maskDigits(iin);
  return digits.slice(0, 4) + BULLET.repeat(6) + digits.slice(10);
}

/**
 * `+77011234512` → `+7 7•• ••• ••12`: the first digit of the operator code and the last two.
 * Anything not shaped like a +7 number keeps only its last two digits.
 */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  const national = digits.length === 11 && (digits[0] === '7' || digits[0] === '8') ? digits.slice(1) : digits.length === 10 ? digits : null;
  if (national === null) return maskDigits(phone);
  return `+7 ${national[0]}${BULLET.repeat(2)} ${BULLET.repeat(3)} ${BULLET.repeat(2)}${national.slice(8)}`;
}

/** Replaces every digit but the last two. */
function maskDigits(text: string): string {
  const total = text.replace(/\D/g, '').length;
  let seen = 0;
  return text.replace(/\d/g, (d) => (++seen > total - 2 ? d : BULLET));
}

// A phone: +7, 7 or 8, then ten digits with optional separators, not glued to other digits.
const PHONE_IN_TEXT = /(?<![\d+])(?:\+\s*7|7|8)(?:[\s\u00a0\-().]*\d){10}(?!\d)/g;
// An IIN: twelve digits, whole or in the groups parents type (6+6, 4+4+4, 3+3+3+3) — not any
// twelve digits with gaps, which would swallow typed option lists like "1 2 3 … 10 11 12".
const IIN_IN_TEXT = /(?<!\d)(?:\d{12}|\d{6}[ -]\d{6}|\d{4}[ -]\d{4}[ -]\d{4}|\d{3}[ -]\d{3}[ -]\d{3}[ -]\d{3})(?!\d)/g;

/**
 * Masks every phone-like and IIN-like run inside free text (log messages, echoed input). Phones go
 * first so an 11-digit phone is not half-read as part of a 12-digit run; neither pattern matches
 * inside a longer digit run, so timestamps and ids stay readable.
 */
export function maskPersonalData(text: string): string {
  return text.replace(PHONE_IN_TEXT, (m) => maskPhone(m)).replace(IIN_IN_TEXT, (m) => maskIin(m));
}

/** "Айгүл Нұрланқызы" → "А*** Н***": enough for the eye to tell two people apart, not the name. */
export function maskName(name: string): string {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => `${[...w][0]}***`)
    .join(' ');
}
