/**
 * Registry files must be UTF-8 (spreadsheet programs offer "CSV UTF-8"). A Windows-1251 export or
 * a UTF-16 "Unicode text" file would otherwise import as mojibake, so both are refused up front.
 */

export type EncodingProblem = 'utf16' | 'utf32' | 'notUtf8';

export class EncodingError extends Error {
  constructor(
    readonly problem: EncodingProblem,
    /** 1-based line where invalid bytes were met (notUtf8), else 1. */
    readonly line: number,
  ) {
    super(encodingMessage(problem, line));
    this.name = 'EncodingError';
  }
}

export function encodingMessage(problem: EncodingProblem, line: number): string {
  switch (problem) {
    case 'utf16':
      return 'Файл в кодировке UTF-16 («Юникод»), а нужна UTF-8. Сохраните его как «CSV UTF-8 (разделитель — запятая)». / The file is UTF-16; save it as "CSV UTF-8".';
    case 'utf32':
      return 'Файл в кодировке UTF-32, а нужна UTF-8. Сохраните его как «CSV UTF-8». / The file is UTF-32; save it as "CSV UTF-8".';
    case 'notUtf8':
      return `Файл не в кодировке UTF-8 (строка ${line}; похоже на Windows-1251). Сохраните его как «CSV UTF-8». / The file is not UTF-8 (line ${line}; looks like Windows-1251); save it as "CSV UTF-8".`;
  }
}

/** Byte-order marks: a UTF-8 one is skipped, the others refused. Returns how many bytes to skip. */
export function checkByteOrderMark(head: Uint8Array): number {
  const b = (i: number) => head[i];
  if (b(0) === 0xff && b(1) === 0xfe && b(2) === 0 && b(3) === 0) throw new EncodingError('utf32', 1);
  if (b(0) === 0 && b(1) === 0 && b(2) === 0xfe && b(3) === 0xff) throw new EncodingError('utf32', 1);
  if ((b(0) === 0xff && b(1) === 0xfe) || (b(0) === 0xfe && b(1) === 0xff)) throw new EncodingError('utf16', 1);
  if (b(0) === 0xef && b(1) === 0xbb && b(2) === 0xbf) return 3;
  // UTF-16 without a mark: ASCII text then has a zero byte in every other position.
  const sample = head.subarray(0, Math.min(head.length, 64));
  let zeros = 0;
  for (const x of sample) if (x === 0) zeros++;
  if (sample.length >= 4 && zeros * 3 >= sample.length) throw new EncodingError('utf16', 1);
  return 0;
}

/**
 * Whole lines of a file as text, strictly: invalid bytes are an EncodingError with the line
 * (`firstLine` is the file's number of the first of them).
 */
export function decodeLines(bytes: Uint8Array, firstLine: number): string {
  try {
    return lineDecoder.decode(bytes);
  } catch {
    throw new EncodingError('notUtf8', firstLine + firstBadLine(bytes, true));
  }
}
const lineDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Newlines before the first line of the chunk that does not decode (a hint for the operator). */
function firstBadLine(chunk: Uint8Array, last: boolean): number {
  const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let lines = 0;
  let start = 0;
  for (let i = 0; i <= chunk.length; i++) {
    if (i < chunk.length && chunk[i] !== 0x0a) continue;
    if (i === chunk.length && !last) break; // an unfinished line may end in a split character
    try {
      strict.decode(chunk.subarray(start, i));
    } catch {
      return lines;
    }
    lines++;
    start = i + 1;
  }
  return lines;
}
