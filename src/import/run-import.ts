/**
 * Imports one registry CSV: streamed, validated row by row, upserted in batches of multi-row
 * statements, inside ONE transaction. By default a single rejected row rolls the whole file back
 * (the operator fixes the file and imports again); with `partial` the good rows are kept.
 */
import { stat } from 'node:fs/promises';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { Db } from '../services/db.ts';
import { cellsOf, mapHeader } from './columns.ts';
import { readCsv, type BrokenLine, type Delimiter } from './csv-reader.ts';
import type { ImportKind, Numbered } from './kind.ts';
import { RejectionReport, type Rejection } from './rejection-report.ts';

export interface ImportOptions {
  file: string;
  /** Keep the good rows when some are rejected (default: all or nothing). */
  partial?: boolean;
  /**
   * Validate only: every row is checked and written inside the transaction (so the database's own
   * refusals are found too), then rolled back. `written` says how many rows an import would write.
   */
  dryRun?: boolean;
  /** Where rejected rows are written; null writes no report file. */
  reportFile: string | null;
  batchSize?: number;
  delimiter?: Delimiter;
  /** Fraction 0–1 of the file read. */
  onProgress?: (fraction: number) => void;
  /** How many rejections to keep in the result for printing. */
  keepRejections?: number;
}

export interface ImportResult {
  /** Data rows read (the header and blank lines not counted). */
  rows: number;
  /** Rows upserted and committed (0 when rolled back). */
  written: number;
  rejectedCount: number;
  /** The first rejections, in file order. */
  rejections: Rejection[];
  committed: boolean;
  /** Header columns that are not documented and were ignored. */
  ignoredColumns: string[];
  reportFile: string | null;
}

/** The file cannot be imported at all (encoding, header). Nothing was written. */
export class ImportFileError extends Error {
  override name = 'ImportFileError';
}

const BROKEN: Record<BrokenLine, string> = {
  unclosedQuote: 'кавычка не закрыта / unclosed quote',
  textAfterQuote: 'текст после закрывающей кавычки / text after a closing quote',
  quoteInField: 'кавычка внутри поля без кавычек / quote inside an unquoted field',
};

class Rollback extends Error {}

const DEFAULT_BATCH = 5_000;
/** A region-size import runs for minutes inside one transaction. */
const TRANSACTION = { maxWait: 60_000, timeout: 6 * 3_600_000 } as const;

/**
 * Imports one registry CSV file of one kind (`IMPORT_KINDS`: kindergartens, parents, applications);
 * the entry point of `npm run ops -- import` (src/ops/commands/import.ts) and of the console's
 * import jobs (src/console/imports/jobs.ts). Rejected rows are counted, the first
 * `keepRejections` kept in the result, and all written to `reportFile` with their reasons.
 * `committed` is false when the file was rolled back (a rejected row without `partial`, or
 * `dryRun`). A file that cannot be read at all (encoding, header) throws {@link ImportFileError}
 * and writes nothing.
 *
 * @example
 * ```ts
 * import type { PrismaClient } from '../generated/prisma/client.ts';
 * import { IMPORT_KINDS } from './kinds/index.ts';
 * import { defaultReportPath } from './rejection-report.ts';
 * import { runImport } from './run-import.ts';
 *
 * declare const prisma: PrismaClient; // (await openDatabase(…)).prisma, src/db/client.ts
 * const file = 'registry/parents.csv';
 * const result = await runImport(prisma, IMPORT_KINDS.parents, {
 *   file,
 *   reportFile: defaultReportPath(file), // registry/parents.rejected.csv
 *   onProgress: (fraction) => process.stdout.write(`\r${Math.round(fraction * 100)} %`),
 * });
 * if (result.committed) console.log(`${result.written} of ${result.rows} rows written`);
 * else console.log(`${result.rejectedCount} rows rejected, nothing written: see ${result.reportFile}`);
 * ```
 */
export async function runImport<Row, Context>(prisma: PrismaClient, kind: ImportKind<Row, Context>, opts: ImportOptions): Promise<ImportResult> {
  const size = (await stat(opts.file)).size;
  const report = opts.reportFile ? new RejectionReport(opts.reportFile) : null;
  const keep = opts.keepRejections ?? 1_000;
  const result: ImportResult = {
    rows: 0,
    written: 0,
    rejectedCount: 0,
    rejections: [],
    committed: false,
    ignoredColumns: [],
    reportFile: opts.reportFile,
  };
  const reject = async (r: Rejection) => {
    result.rejectedCount++;
    if (result.rejections.length < keep) result.rejections.push(r);
    await report?.add(r);
  };

  let wouldWrite = 0;
  const body = async (tx: Db) => {
    const context = await kind.prepare(tx);
    const seen = new Map<string | number, number>();
    let header: Map<string, number> | null = null;
    let batch: Numbered<Row>[] = [];
    let written = 0;
    const keyIndex = () => header!.get(kind.keyColumn);

    // The database writes one batch while the next is read and validated: one write in flight,
    // so the transaction's single connection is never asked for two statements at once.
    let inFlight: Promise<void> = Promise.resolve();
    const write = async (rows: Numbered<Row>[]) => {
      const doomed = !opts.partial && !opts.dryRun && result.rejectedCount > 0;
      const refused = await kind.writeBatch(tx, rows, context, !doomed);
      const byLine = new Map(rows.map((b) => [b.line, b.row]));
      // Rows refused by the database were written by no statement, but their keys stay "seen".
      for (const r of refused) await reject({ line: r.line, key: String(kind.key(byLine.get(r.line)!)), reasons: r.reasons });
      if (!doomed) written += rows.length - refused.length;
    };
    const flush = async () => {
      if (batch.length === 0) return;
      const rows = batch;
      batch = [];
      await inFlight;
      inFlight = write(rows);
      // Surfaces a failed write at the next await instead of as an unhandled rejection.
      inFlight.catch(() => {});
    };

    for await (const item of readCsv(opts.file, { delimiter: opts.delimiter, onBytes: (b) => opts.onProgress?.(size === 0 ? 1 : b / size) })) {
      if (header === null) {
        if (item.kind === 'broken') throw new ImportFileError(`Строка заголовка (${item.line}) испорчена: ${BROKEN[item.problem]} / The header line is broken`);
        const mapped = mapHeader(item.fields, kind.columns);
        if (!mapped.ok) {
          const parts = [
            mapped.missing.length > 0 ? `нет столбцов / missing columns: ${mapped.missing.join(', ')}` : '',
            mapped.duplicated.length > 0 ? `столбцы повторяются / repeated columns: ${mapped.duplicated.join(', ')}` : '',
          ].filter(Boolean);
          throw new ImportFileError(`Заголовок файла (строка ${item.line}): ${parts.join('; ')}. Запустите «import ${kind.name} --help». / Run "import ${kind.name} --help".`);
        }
        header = mapped.index;
        result.ignoredColumns = mapped.ignored;
        continue;
      }
      result.rows++;
      if (item.kind === 'broken') {
        await reject({ line: item.line, key: '', reasons: [BROKEN[item.problem]] });
        continue;
      }
      const rawKey = (item.fields[keyIndex()!] ?? '').trim();
      const parsed = kind.parse(cellsOf(item.fields, header, kind.columns), context);
      if (!parsed.ok) {
        await reject({ line: item.line, key: rawKey, reasons: parsed.reasons });
        continue;
      }
      const key = kind.key(parsed.row);
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        await reject({ line: item.line, key: rawKey, reasons: [`${kind.keyColumn}: повтор — уже в строке ${earlier} / duplicate of line ${earlier}`] });
        continue;
      }
      seen.set(key, item.line);
      batch.push({ line: item.line, row: parsed.row });
      if (batch.length >= (opts.batchSize ?? DEFAULT_BATCH)) await flush();
    }
    if (header === null) throw new ImportFileError('Файл пуст: нет строки заголовка / The file is empty: no header line');
    await flush();
    await inFlight;
    wouldWrite = written;
    if (opts.dryRun || (!opts.partial && result.rejectedCount > 0)) throw new Rollback();
    return written;
  };

  try {
    result.written = await prisma.$transaction(body, TRANSACTION);
    result.committed = true;
  } catch (e) {
    if (!(e instanceof Rollback)) {
      await report?.close();
      throw e;
    }
    if (opts.dryRun) result.written = wouldWrite;
  }
  await report?.close();
  return result;
}
