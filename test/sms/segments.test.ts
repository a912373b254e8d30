import { describe, expect, it } from 'vitest';
import { countSegments } from '../../src/campaign/sms/segments.ts';

const seg = (text: string) => countSegments(text).segments;

describe('SMS parts (3GPP TS 23.038 / 23.040)', () => {
  it('an empty text takes no part', () => {
    expect(countSegments('')).toEqual({ encoding: 'GSM-7', units: 0, segments: 0 });
  });

  it('GSM-7: 160 septets in one SMS, 153 per part of a longer one', () => {
    expect(countSegments('a'.repeat(160))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(seg('a'.repeat(161))).toBe(2);
    expect(seg('a'.repeat(306))).toBe(2);
    expect(seg('a'.repeat(307))).toBe(3);
    expect(seg('a'.repeat(459))).toBe(3);
    expect(seg('a'.repeat(460))).toBe(4);
  });

  it("the whole default alphabet is GSM-7, one septet each (Greek capitals, accented letters, '@', '¤', '§', LF, CR)", () => {
    const basic = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
    expect(countSegments(basic)).toEqual({ encoding: 'GSM-7', units: 127, segments: 1 });
  });

  it('the extension table (form feed ^ { } \\ [ ~ ] | €) costs two septets each', () => {
    expect(countSegments('\f^{}\\[~]|€')).toEqual({ encoding: 'GSM-7', units: 20, segments: 1 });
    expect(countSegments(`${'a'.repeat(158)}€`)).toMatchObject({ units: 160, segments: 1 });
    expect(countSegments(`${'a'.repeat(159)}€`)).toMatchObject({ units: 161, segments: 2 });
  });

  it('an escape pair is never split between parts: it moves whole to the next one', () => {
    // 152 + 2 + 152 = 306 septets would be two parts if the pair could straddle them; it cannot.
    expect(countSegments(`${'a'.repeat(152)}€${'a'.repeat(152)}`)).toMatchObject({ units: 306, segments: 3 });
    expect(seg(`${'a'.repeat(151)}€${'a'.repeat(153)}`)).toBe(2);
  });

  it('one character outside the alphabet makes the whole text UCS-2: 70 in one SMS, 67 per part', () => {
    expect(countSegments(`${'a'.repeat(69)}ы`)).toEqual({ encoding: 'UCS-2', units: 70, segments: 1 });
    expect(countSegments(`${'a'.repeat(70)}ы`)).toEqual({ encoding: 'UCS-2', units: 71, segments: 2 });
    expect(seg('ж'.repeat(70))).toBe(1);
    expect(seg('ж'.repeat(71))).toBe(2);
    expect(seg('ж'.repeat(134))).toBe(2);
    expect(seg('ж'.repeat(135))).toBe(3);
    expect(seg('ж'.repeat(201))).toBe(3);
    expect(seg('ж'.repeat(202))).toBe(4);
    // Kazakh letters, a backtick and a small c-cedilla are not in the default alphabet either.
    for (const c of ['ә', 'ғ', 'қ', 'ң', 'ө', 'ұ', 'ү', 'һ', 'і', '`', 'ç', '«']) expect(countSegments(`abc${c}`).encoding, c).toBe('UCS-2');
  });

  it('a character outside the BMP (emoji) is a surrogate pair: two units, never split', () => {
    expect(countSegments('😀')).toEqual({ encoding: 'UCS-2', units: 2, segments: 1 });
    expect(seg(`${'ж'.repeat(68)}😀`)).toBe(1);
    expect(seg(`${'ж'.repeat(69)}😀`)).toBe(2);
    // 66 + 2 + 66 = 134 units would fill two parts exactly if the pair could straddle them.
    expect(countSegments(`${'ж'.repeat(66)}😀${'ж'.repeat(66)}`)).toMatchObject({ units: 134, segments: 3 });
    expect(seg(`${'ж'.repeat(65)}😀${'ж'.repeat(67)}`)).toBe(2);
  });
});
