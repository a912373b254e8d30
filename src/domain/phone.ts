/**
 * Phone numbers as the registry stores them: E.164 Kazakhstan numbers `+7XXXXXXXXXX`.
 * Kazakhstan shares country code 7 with Russia; its numbers are the ones whose national part
 * starts with 6 or 7 (mobile 70x/74x/75x/76x/77x, landlines 71x/72x).
 */

/** Separators people and platforms put between digits. */
const SEPARATORS = /[\s\u00a0\-().]/g;

/**
 * Normalises a phone number as typed by a parent, shared by Telegram (sometimes without '+') or
 * given by WhatsApp (`wa_id`, digits only). Accepts +7 / 7 / 8 followed by ten digits, or the
 * bare ten-digit national number; returns null for anything else, including non-KZ +7 numbers.
 */
export function normalizePhone(input: string): string | null {
  const compact = input.replace(SEPARATORS, '');
  const match = /^(\+?)(\d+)$/.exec(compact);
  if (match === null) return null;
  // The pattern has exactly these two groups, both always taking part in a match.
  const plus = match[1]!;
  const digits = match[2]!;

  let national: string;
  if (digits.length === 11 && digits.startsWith('7')) national = digits.slice(1);
  // The domestic trunk prefix 8 is never written after '+'.
  else if (digits.length === 11 && digits.startsWith('8') && plus === '') national = digits.slice(1);
  else if (digits.length === 10 && plus === '') national = digits;
  else return null;

  if (national[0] !== '6' && national[0] !== '7') return null;
  return `+7${national}`;
}

/** True when the value is already in the stored form. */
export function isNormalizedPhone(value: string): boolean {
  return /^\+7[67]\d{9}$/.test(value);
}
