/**
 * Imports one registry CSV at database speed: the file is streamed, each row validated (the same
 * rules and reasons as ever), the valid rows loaded into a staging table with COPY, the database's
 * own checks run there (an unknown parent), and the registry merged from it with set-based
 * statements — all inside ONE transaction. By default a single rejected row rolls the whole file
 * back (the operator fixes the file and imports again); with `partial` the good rows are kept.
 * The applications' merge also records what changed (registry events) and plans the parents'
 * notices in the same transaction, so a crash leaves neither half done.
 */
import { stat } from 'node:fs/promises';
import { BULK_ROWS } from './bulk-load.ts';
import { cellsOf, mapHeader } from './columns.ts';
import { readCsv, type BrokenLine, type Delimiter } from './csv-reader.ts';
import type { ImportKind, RegistryReach } from './kind.ts';
import { RejectionReport, type Rejection } from './rejection-report.ts';
import { copyLine } from './staging/copy-text.ts';
import { openImportConnection, type ImportTarget } from './staging/connect.ts';
import type { ImportSession } from './staging/session.ts';

export interface ImportOptions {
  file: string;
  /** Keep the good rows when some are rejected (default: all or nothing). */
  partial?: boolean;
  /**
   * Validate only: every row is checked and staged inside the transaction (so the database's own
   * refusals are found too), then rolled back. `written` says how many rows an import would write.
   */
  dryRun?: boolean;
  /** Where rejected rows are written; null writes no report file. */
  reportFile: string | null;
  /** Rows per chunk sent to the staging table. */
  batchSize?: number;
  delimiter?: Delimiter;
  /** Fraction 0–1 of the file read. */
  onProgress?: (fraction: number) => void;
  /** How many rejections to keep in the result for printing. */
  keepRejections?: number;
  /** The import's instant (the notices it plans fall due from it); default now. */
  now?: Date;
  /** Changed rows from which the merge goes in bulk (src/import/bulk-load.ts); default BULK_ROWS. */
  bulkRows?: number;
  /**
   * Routes to the registry phone (the campaign's reach settings): a referral for a parent with no
   * linked chat goes there, with their consent. Default: none.
   */
  reach?: RegistryReach;
}

export interface ImportResult {
  /** Data rows read (the header and blank lines not counted). */
  rows: number;
  /** Rows merged and committed (0 when rolled back). */
  written: number;
  rejectedCount: number;
  /** The first rejections, in file order. */
  rejections: Rejection[];
  committed: boolean;
  /** Header columns that are not documented and were ignored. */
  ignoredColumns: string[];
  reportFile: string | null;
  /** Registry events recorded and outbox rows planned for them (applications). */
  events: number;
  notices: number;
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
const STAGE = 'import_stage';

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
 * import type { Database } from '../db/client.ts';
 * import { IMPORT_KINDS } from './kinds/index.ts';
 * import { defaultReportPath } from './rejection-report.ts';
 * import { runImport } from './run-import.ts';
 *
 * declare const db: Database; // await openDatabase(…), src/db/client.ts: COPY where it can (staging/connect.ts)
 * const file = 'registry/parents.csv';
 * const result = await runImport(db, IMPORT_KINDS.parents, {
 *   file,
 *   reportFile: defaultReportPath(file), // registry/parents.rejected.csv
 *   onProgress: (fraction) => process.stdout.write(`\r${Math.round(fraction * 100)} %`),
 * });
 * if (result.committed) console.log(`${result.written} of ${result.rows} rows written`);
 * else console.log(`${result.rejectedCount} rows rejected, nothing written: see ${result.reportFile}`);
 * ```
 */
export async function runImport<Row, Context>(target: ImportTarget, kind: ImportKind<Row, Context>, opts: ImportOptions): Promise<ImportResult> {
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
    events: 0,
    notices: 0,
  };
  const reject = async (r: Rejection) => {
    result.rejectedCount++;
    if (result.rejections.length < keep) result.rejections.push(r);
    await report?.add(r);
  };

  /** The file's valid rows as COPY text, a chunk of `batchSize` lines at a time. */
  async function* stagedChunks(context: Context, staged: { count: number }): AsyncGenerator<string> {
    let header: Map<string, number> | null = null;
    let keyIndex = -1;
    let chunk = '';
    let inChunk = 0;
    for await (const item of readCsv(opts.file, { delimiter: opts.delimiter, onBytes: (b) => opts.onProgress?.(size === 0 ? 1 : b / size) })) {
      if (header === null) {
        if (item.kind === 'broken') throw new ImportFileError(`Строка заголовка (${item.line}) испорчена: ${BROKEN[item.problem]} / The header line is broken`);
        const mapped = mapHeader(item.fields, kind.columns);
        if (!mapped.ok) {
          const parts = [
            mapped.missing.length > 0 ? `нет столбцов / missing columns: ${mapped.missing.join(', ')}` : '',
            mapped.duplicated.length > 0 ? `столбцы повторяются / repeated columns: ${mapped.duplicated.join(', ')}` : '',
          ].filter(Boolean);
          throw new ImportFileError(
            `Заголовок файла (строка ${item.line}): ${parts.join('; ')}. Запустите «import ${kind.name} --help». / Run "import ${kind.name} --help".`,
          );
        }
        header = mapped.index;
        keyIndex = header.get(kind.keyColumn)!;
        result.ignoredColumns = mapped.ignored;
        continue;
      }
      result.rows++;
      if (item.kind === 'broken') {
        await reject({ line: item.line, key: '', reasons: [BROKEN[item.problem]] });
        continue;
      }
      const rawKey = (item.fields[keyIndex] ?? '').trim();
      const parsed = kind.parse(cellsOf(item.fields, header, kind.columns), context);
      if (!parsed.ok) {
        await reject({ line: item.line, key: rawKey, reasons: parsed.reasons });
        continue;
      }
      chunk += copyLine([item.line, ...kind.stage(parsed.row)]);
      staged.count++;
      if (++inChunk >= (opts.batchSize ?? DEFAULT_BATCH)) {
        yield chunk;
        chunk = '';
        inChunk = 0;
      }
    }
    if (header === null) throw new ImportFileError('Файл пуст: нет строки заголовка / The file is empty: no header line');
    if (chunk !== '') yield chunk;
  }

  let wouldWrite = 0;
  const body = async (s: ImportSession) => {
    // Sorts and hash joins of a region's rows stay in memory.
    await s.query(`SET LOCAL work_mem = '256MB'`);
    const context = await kind.prepare(s);
    await s.query(`CREATE TEMP TABLE ${STAGE} (line int NOT NULL, ${kind.staging.map(([n, t]) => `${n} ${t}`).join(', ')}) ON COMMIT DROP`);
    const staged = { count: 0 };
    await s.copyIn(STAGE, ['line', ...kind.staging.map(([n]) => n)], stagedChunks(context, staged));
    // Found here rather than in a map of every key read: a million keys cost no memory of ours.
    const duplicates = await duplicateRows(s, kind.stagingKey, kind.keyColumn);
    for (const r of duplicates) await reject(r);
    if (duplicates.length > 0) await s.query(`DELETE FROM ${STAGE} WHERE line = ANY($1::int[])`, [duplicates.map((r) => r.line)]);
    const refused = kind.refusals ? await kind.refusals(s, STAGE) : [];
    for (const r of refused) await reject(r);
    result.rejections.sort((a, b) => a.line - b.line);
    wouldWrite = staged.count - duplicates.length - refused.length;
    if (opts.dryRun || (!opts.partial && result.rejectedCount > 0)) throw new Rollback();
    if (refused.length > 0) await s.query(`DELETE FROM ${STAGE} WHERE line = ANY($1::int[])`, [refused.map((r) => r.line)]);
    const outcome = await kind.merge(s, STAGE, {
      now: opts.now ?? new Date(),
      bulkRows: opts.bulkRows ?? BULK_ROWS,
      reach: opts.reach ?? { whatsapp: false, sms: false },
    });
    result.events = outcome.events;
    result.notices = outcome.notices;
    return wouldWrite;
  };

  const connection = await openImportConnection(target);
  try {
    result.written = await connection.transaction(body);
    result.committed = true;
  } catch (e) {
    if (!(e instanceof Rollback)) {
      await report?.close();
      throw e;
    }
    if (opts.dryRun) result.written = wouldWrite;
  } finally {
    await connection.close();
  }
  await report?.close();
  return result;
}

/** The second and later staged rows of a natural key: "duplicate of line N", the first one kept. */
async function duplicateRows(s: ImportSession, key: string, keyColumn: string): Promise<Rejection[]> {
  const rows = await s.query<{ line: number; key: string; first: number }>(`
    WITH repeated AS (SELECT ${key} AS k FROM ${STAGE} GROUP BY ${key} HAVING count(*) > 1)
    SELECT line, key, first FROM (
      SELECT st.line, st.${key}::text AS key, min(st.line) OVER (PARTITION BY st.${key}) AS first
      FROM ${STAGE} st JOIN repeated r ON r.k = st.${key}
    ) d WHERE line <> first ORDER BY line`);
  return rows.map((r) => ({ line: r.line, key: r.key, reasons: [`${keyColumn}: повтор — уже в строке ${r.first} / duplicate of line ${r.first}`] }));
}
