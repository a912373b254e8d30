/** A registry file as pieces of whole lines (./piece.ts), read a piece ahead of their staging. */
import { createReadStream } from 'node:fs';
import { concatBytes } from '../../bytes.ts';
import { checkByteOrderMark } from '../encoding.ts';
import type { Piece } from './piece.ts';

/** A piece and where it ends in the file (the import's progress). */
export type FilePiece = Piece & { end: number };

/** The bytes the encoding is told from (checkByteOrderMark). */
const HEAD_BYTES = 64;

/** Line breaks in bytes. */
function lineBreaks(bytes: Uint8Array): number {
  let n = 0;
  for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) n++;
  return n;
}

/**
 * The file in pieces of about `size` bytes, each cut after a line break; the last piece (perhaps
 * empty) ends the file. A UTF-8 byte-order mark is skipped, a UTF-16 or UTF-32 file refused
 * (EncodingError).
 */
export async function* filePieces(file: string, size: number): AsyncGenerator<FilePiece> {
  let pending: Uint8Array = new Uint8Array(0);
  let line = 1;
  let read = 0;
  // The mark is looked for once the file's first bytes are in (UTF-16 without one shows in them).
  let marked = false;
  const markChecked = () => {
    pending = pending.subarray(checkByteOrderMark(pending));
    marked = true;
  };
  for await (const chunk of createReadStream(file, { highWaterMark: size }) as AsyncIterable<Buffer>) {
    read += chunk.length;
    pending = pending.length > 0 ? concatBytes([pending, chunk]) : chunk;
    if (!marked) {
      if (pending.length < HEAD_BYTES) continue;
      markChecked();
    }
    const cut = pending.lastIndexOf(10) + 1;
    if (cut === 0) continue;
    const bytes = pending.subarray(0, cut);
    pending = pending.subarray(cut);
    yield { bytes, firstLine: line, last: false, end: read - pending.length };
    line += lineBreaks(bytes);
  }
  if (!marked) markChecked();
  yield { bytes: pending, firstLine: line, last: true, end: read };
}
