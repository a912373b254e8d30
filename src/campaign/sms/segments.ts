/**
 * How many SMS parts ("segments") a text takes — what the provider bills and what the daily
 * budget counts. Pure; follows the specifications, not a provider's calculator:
 *
 * - 3GPP TS 23.038 §6.2.1: a text whose every character is in the GSM 7-bit default alphabet goes
 *   in GSM-7, one septet per character of the basic table, two (escape 0x1B + the character) per
 *   character of the extension table (§6.2.1.1: form feed ^ { } \ [ ~ ] | €). Any other character
 *   makes the whole text UCS-2: two octets per UTF-16 code unit, so a character outside the Basic
 *   Multilingual Plane (most emoji) is a surrogate pair and counts two.
 * - 3GPP TS 23.040 §9.2.3.24.1: one SMS carries 140 octets of user data — 160 septets or 70 UCS-2
 *   units. A longer text is concatenated, each part giving 6 octets to the user data header
 *   (length, IEI 0x00, IE length, reference, total, sequence): 134 octets = 153 septets (the
 *   header is padded to a septet boundary) or 67 UCS-2 units per part.
 * - A part never ends in the middle of a character: an escape pair or a surrogate pair that does not
 *   fit whole moves to the next part (the handset could not show half of it), so a part may
 *   carry one unit less than its capacity.
 */

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SegmentCount {
  encoding: SmsEncoding;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2) the text takes. */
  units: number;
  /** Parts the text is sent in; 0 for an empty text. */
  segments: number;
}

/** Capacity of a single SMS and of each part of a concatenated one, in the encoding's units. */
export const CAPACITY: Record<SmsEncoding, { single: number; part: number }> = {
  'GSM-7': { single: 160, part: 153 },
  'UCS-2': { single: 70, part: 67 },
};

/** TS 23.038 §6.2.1, the default alphabet in code order 0x00–0x7F (0x1B, the escape, left out). */
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ' + // 0x00–0x1F without 0x1B
  ' !"#¤%&\'()*+,-./0123456789:;<=>?' + // 0x20–0x3F
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§' + // 0x40–0x5F
  '¿abcdefghijklmnopqrstuvwxyzäöñüà'; // 0x60–0x7F

/** TS 23.038 §6.2.1.1, the default alphabet extension table: each costs the escape and itself. */
const GSM_EXTENSION = '\f^{}\\[~]|€';

const BASIC = new Set(GSM_BASIC);
const EXTENSION = new Set(GSM_EXTENSION);

/** Septets a character takes in GSM-7, or null when the default alphabet lacks it. */
function septets(ch: string): 1 | 2 | null {
  if (BASIC.has(ch)) return 1;
  if (EXTENSION.has(ch)) return 2;
  return null;
}

/** Each character's cost in the encoding the whole text needs (a character = one code point). */
function costs(text: string): { encoding: SmsEncoding; units: number[] } {
  const chars = [...text];
  const gsm = chars.map(septets);
  if (gsm.every((s) => s !== null)) return { encoding: 'GSM-7', units: gsm as number[] };
  return { encoding: 'UCS-2', units: chars.map((c) => c.length) };
}

export function countSegments(text: string): SegmentCount {
  const { encoding, units } = costs(text);
  const total = units.reduce((a, b) => a + b, 0);
  const cap = CAPACITY[encoding];
  if (total === 0) return { encoding, units: 0, segments: 0 };
  if (total <= cap.single) return { encoding, units: total, segments: 1 };
  let segments = 1;
  let used = 0;
  for (const u of units) {
    if (used + u > cap.part) {
      segments++;
      used = 0;
    }
    used += u;
  }
  return { encoding, units: total, segments };
}
