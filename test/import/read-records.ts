/**
 * A file's records as the import reads them — its header from the first pieces, then each piece
 * staged (src/import/reading/) — with a kind that keeps every field as it was read, so the tests
 * of the reading see records and broken lines rather than a kind's validation.
 */
import type { BrokenLine, CsvItem } from '../../src/import/csv-reader.ts';
import type { ImportKind } from '../../src/import/kind.ts';
import { filePieces } from '../../src/import/reading/file-pieces.ts';
import { readHeader } from '../../src/import/reading/header.ts';
import { BROKEN_LINE, stagePiece } from '../../src/import/reading/stage-piece.ts';
import { stagedPieces } from '../../src/import/reading/staged-file.ts';
import { parseCopyLines } from '../../src/import/staging/copy-text.ts';

const WIDTH = 8;
const ECHO: ImportKind<string[], null> = {
  name: 'kindergartens',
  columns: Array.from({ length: WIDTH }, (_, i) => ({ key: `c${i}`, aliases: [], required: false, ru: '', en: '', example: '' })),
  keyColumn: 'c0',
  prepare: async () => null,
  parse: (cells) => ({ ok: true, row: Object.values(cells) }),
  stagingKey: 'c0',
  keyOf: () => 0,
  staging: [],
  stage: (row) => row,
  merge: async () => ({ events: 0, notices: 0 }),
};
const problemOf = new Map(Object.entries(BROKEN_LINE).map(([problem, reason]) => [reason, problem as BrokenLine]));

export async function readRecords(file: string, pieceBytes: number): Promise<CsvItem[]> {
  const { header, delimiter, rest } = await readHeader(filePieces(file, pieceBytes));
  if (!header) return [];
  const items: CsvItem[] = [header];
  const width = header.kind === 'record' ? header.fields.length : 0;
  const plan = { kind: ECHO.name, prepared: null, header: new Map(Array.from({ length: WIDTH }, (_, i) => [`c${i}`, i])), keyIndex: 0, delimiter };
  const stager = { ahead: 0, stage: async (piece: Parameters<typeof stagePiece>[2]) => stagePiece(ECHO, plan, piece) };
  for await (const staged of stagedPieces(rest, stager)) {
    const records: CsvItem[] = parseCopyLines(new TextDecoder().decode(staged.copy)).map(([line, ...fields]) => ({
      kind: 'record',
      line: Number(line),
      // The echo kind's cells are trimmed and padded to its width: back to the header's width.
      fields: fields.slice(0, Math.max(width, fields.findLastIndex((f) => f !== '') + 1)).map((f) => f ?? ''),
    }));
    const broken: CsvItem[] = staged.rejections.map((r) => ({ kind: 'broken', line: r.line, problem: problemOf.get(r.reasons[0]!)! }));
    items.push(...[...records, ...broken].sort((a, b) => a.line - b.line));
  }
  return items;
}
