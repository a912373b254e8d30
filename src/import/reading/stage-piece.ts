/**
 * One piece of a registry file staged: its lines assembled into records, each record validated
 * by the kind (the same rules and reasons as always), the valid rows written as COPY text, the
 * others kept as rejections. Depends only on its input, so pieces can be staged anywhere, in any
 * order, and put back in file order.
 */
import { cellsOf, columnSlots } from '../columns.ts';
import { RecordAssembler, type BrokenLine, type CsvItem } from '../csv-reader.ts';
import { decodeLines } from '../encoding.ts';
import type { ImportKind } from '../kind.ts';
import { CopyBytes } from '../staging/copy-text.ts';
import type { Piece, StagedPiece, StagePlan } from './piece.ts';

export const BROKEN_LINE: Record<BrokenLine, string> = {
  unclosedQuote: 'кавычка не закрыта / unclosed quote',
  textAfterQuote: 'текст после закрывающей кавычки / text after a closing quote',
  quoteInField: 'кавычка внутри поля без кавычек / quote inside an unquoted field',
};

/**
 * Calls `each` with every physical line of `text` (without its line break), its number, where it
 * starts and where the next one starts; a last line counts only when the text does not end with a
 * line break (the file's last line may end without one). `each` returns false to stop.
 */
export function forEachLine(text: string, firstLine: number, each: (line: number, text: string, start: number, next: number) => boolean): void {
  let line = firstLine;
  for (let start = 0; start < text.length; line++) {
    const nl = text.indexOf('\n', start);
    const stop = nl === -1 ? text.length : nl;
    const end = stop > start && text.charCodeAt(stop - 1) === 13 ? stop - 1 : stop;
    if (each(line, text.slice(start, end), start, stop + 1) === false) return;
    start = stop + 1;
  }
}

export function stagePiece<Row, Context>(kind: ImportKind<Row, Context>, plan: StagePlan, piece: Piece): StagedPiece {
  const text = decodeLines(piece.bytes, piece.firstLine);
  const context = plan.prepared as Context;
  const copy = new CopyBytes(piece.bytes.length + (piece.bytes.length >> 2));
  const staged: StagedPiece = {
    copy: new Uint8Array(0),
    rows: 0,
    staged: 0,
    keys: new Float64Array(0),
    sharedKeys: new Float64Array(0),
    rejections: [],
    open: null,
  };
  const keys: number[] = [];
  const sharedKeys: number[] = [];
  const slots = columnSlots(plan.header, kind.columns);
  const assembler = new RecordAssembler(plan.delimiter);
  const items: CsvItem[] = [];

  const take = (item: CsvItem) => {
    staged.rows++;
    if (item.kind === 'broken') {
      staged.rejections.push({ line: item.line, key: '', reasons: [BROKEN_LINE[item.problem]] });
      return;
    }
    const parsed = kind.parse(cellsOf(item.fields, slots), context);
    if (!parsed.ok) {
      staged.rejections.push({ line: item.line, key: (item.fields[plan.keyIndex] ?? '').trim(), reasons: parsed.reasons });
      return;
    }
    copy.row([item.line, ...kind.stage(parsed.row)]);
    keys.push(kind.keyOf(parsed.row));
    if (kind.sharedKeyOf) sharedKeys.push(kind.sharedKeyOf(parsed.row));
    staged.staged++;
  };
  const drain = () => {
    for (const item of items) take(item);
    items.length = 0;
  };

  forEachLine(text, piece.firstLine, (line, lineText, start) => {
    assembler.push(line, lineText, items, start);
    if (items.length > 0) drain();
    return true;
  });
  if (piece.last) {
    assembler.finish(items);
    drain();
  } else {
    const open = assembler.open;
    if (open) staged.open = { line: open.line, bytes: Buffer.byteLength(text.slice(open.start)) };
  }
  staged.copy = copy.bytes();
  staged.keys = Float64Array.from(keys);
  staged.sharedKeys = Float64Array.from(sharedKeys);
  return staged;
}
