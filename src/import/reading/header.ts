/** The header record of a registry file, read from its first pieces on this thread. */
import { RecordAssembler, type CsvItem, type Delimiter } from '../csv-reader.ts';
import { decodeLines } from '../encoding.ts';
import { concatBytes } from '../../bytes.ts';
import type { FilePiece } from './file-pieces.ts';
import { forEachLine } from './stage-piece.ts';

export interface HeaderRead {
  /** The file's first record (broken, or its column names); null for a file of blank lines. */
  header: CsvItem | null;
  /** Given, or the one the header uses most. */
  delimiter: Delimiter;
  /** The pieces after the header: the rest of the header's piece first. */
  rest: AsyncIterable<FilePiece>;
}

export async function readHeader(pieces: AsyncIterator<FilePiece>, delimiter?: Delimiter): Promise<HeaderRead> {
  let acc: FilePiece | null = null;
  for (;;) {
    const next = await pieces.next();
    if (next.done) throw new Error('the file ended without its last piece');
    acc = acc ? { ...next.value, bytes: concatBytes([acc.bytes, next.value.bytes]), firstLine: acc.firstLine } : next.value;
    const text = decodeLines(acc.bytes, acc.firstLine);
    const assembler = new RecordAssembler(delimiter ?? null);
    const items: CsvItem[] = [];
    let after = { line: acc.firstLine, start: text.length };
    forEachLine(text, acc.firstLine, (line, lineText, start, nextStart) => {
      assembler.push(line, lineText, items, start);
      if (items.length === 0) return true;
      after = { line: line + 1, start: nextStart };
      return false;
    });
    if (items.length === 0 && acc.last) assembler.finish(items);
    if (items.length === 0 && !acc.last) continue;
    const done = acc;
    const remainder: FilePiece = {
      ...done,
      bytes: done.bytes.subarray(Math.min(done.bytes.length, Buffer.byteLength(text.slice(0, after.start)))),
      firstLine: after.line,
    };
    async function* rest(): AsyncGenerator<FilePiece> {
      yield remainder;
      if (done.last) return;
      for (let n = await pieces.next(); !n.done; n = await pieces.next()) yield n.value;
    }
    return { header: items[0] ?? null, delimiter: assembler.delimiter ?? delimiter ?? ';', rest: rest() };
  }
}
