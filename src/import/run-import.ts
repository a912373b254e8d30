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
import { mapHeader } from './columns.ts';
import type { Delimiter } from './csv-reader.ts';
import type { ImportKind, RegistryReach, StagedFacts } from './kind.ts';
import { filePieces } from './reading/file-pieces.ts';
import { readHeader } from './reading/header.ts';
import { KeyLog } from './reading/repeated-keys.ts';
import type { StagePlan } from './reading/piece.ts';
import { BROKEN_LINE, stagePiece } from './reading/stage-piece.ts';
import { defaultStageThreads, StageThreads } from './reading/stage-threads.ts';
import { stagedPieces, type Stager } from './reading/staged-file.ts';
import { RejectionReport, type Rejection } from './rejection-report.ts';
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
  /** Bytes of the file staged at a time (whole lines; default 1 MB). */
  pieceBytes?: number;
  /**
   * Threads the file is parsed and validated on: 0 on this thread; default one per core (at most
   * four) for a file from 16 MB, else 0.
   */
  threads?: number;
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

class Rollback extends Error {}

/** Bytes of the file staged at a time. */
const PIECE_BYTES = 1 << 20;
/** From this size on a file is staged on threads of its own (./reading/stage-threads.ts). */
const THREADED_FROM = 16 << 20;
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

  /** The file's valid rows as COPY text, a piece of the file at a time (./reading/). */
  async function* stagedChunks(prepared: Context, staged: { count: number; keys: KeyLog; sharedKeys: KeyLog }): AsyncGenerator<Uint8Array> {
    const pieces = filePieces(opts.file, opts.pieceBytes ?? PIECE_BYTES);
    const { header, delimiter, rest } = await readHeader(pieces, opts.delimiter);
    if (header === null) throw new ImportFileError('Файл пуст: нет строки заголовка / The file is empty: no header line');
    if (header.kind === 'broken')
      throw new ImportFileError(`Строка заголовка (${header.line}) испорчена: ${BROKEN_LINE[header.problem]} / The header line is broken`);
    const mapped = mapHeader(header.fields, kind.columns);
    if (!mapped.ok) {
      const parts = [
        mapped.missing.length > 0 ? `нет столбцов / missing columns: ${mapped.missing.join(', ')}` : '',
        mapped.duplicated.length > 0 ? `столбцы повторяются / repeated columns: ${mapped.duplicated.join(', ')}` : '',
      ].filter(Boolean);
      throw new ImportFileError(
        `Заголовок файла (строка ${header.line}): ${parts.join('; ')}. Запустите «import ${kind.name} --help». / Run "import ${kind.name} --help".`,
      );
    }
    result.ignoredColumns = mapped.ignored;
    const plan: StagePlan = { kind: kind.name, prepared, header: mapped.index, keyIndex: mapped.index.get(kind.keyColumn)!, delimiter };
    threads?.configure(plan);
    const stager: Stager = threads ?? { ahead: 0, stage: async (piece) => stagePiece(kind, plan, piece) };
    for await (const piece of stagedPieces(rest, stager, (end) => opts.onProgress?.(size === 0 ? 1 : end / size))) {
      result.rows += piece.rows;
      staged.count += piece.staged;
      staged.keys.add(piece.keys);
      staged.sharedKeys.add(piece.sharedKeys);
      for (const r of piece.rejections) await reject(r);
      if (piece.copy.length > 0) yield piece.copy;
    }
  }

  let wouldWrite = 0;
  const body = async (s: ImportSession) => {
    // Sorts and hash joins of a region's rows stay in memory.
    await s.query(`SET LOCAL work_mem = '256MB'`);
    const context = await kind.prepare(s);
    await s.query(`CREATE TEMP TABLE ${STAGE} (line int NOT NULL, ${kind.staging.map(([n, t]) => `${n} ${t}`).join(', ')}) ON COMMIT DROP`);
    const staged = { count: 0, keys: new KeyLog(), sharedKeys: new KeyLog() };
    await s.copyIn(STAGE, ['line', ...kind.staging.map(([n]) => n)], stagedChunks(context, staged));
    const repeated = staged.keys.repeated();
    const duplicates = repeated.length > 0 ? await duplicateRows(s, kind.stagingKey, kind.keyColumn, repeated) : [];
    for (const r of duplicates) await reject(r);
    if (duplicates.length > 0) await s.query(`DELETE FROM ${STAGE} WHERE line = ANY($1::int[])`, [duplicates.map((r) => r.line)]);
    const facts: StagedFacts = { sharedKeysRepeat: staged.sharedKeys.repeated().length > 0 };
    const refused = kind.refusals ? await kind.refusals(s, STAGE, facts) : [];
    for (const r of refused) await reject(r);
    result.rejections.sort((a, b) => a.line - b.line);
    wouldWrite = staged.count - duplicates.length - refused.length;
    if (opts.dryRun || (!opts.partial && result.rejectedCount > 0)) throw new Rollback();
    if (refused.length > 0) await s.query(`DELETE FROM ${STAGE} WHERE line = ANY($1::int[])`, [refused.map((r) => r.line)]);
    const outcome = await kind.merge(s, STAGE, {
      ...facts,
      now: opts.now ?? new Date(),
      bulkRows: opts.bulkRows ?? BULK_ROWS,
      reach: opts.reach ?? { whatsapp: false, sms: false },
    });
    result.events = outcome.events;
    result.notices = outcome.notices;
    return wouldWrite;
  };

  const threadCount = opts.threads ?? (size >= THREADED_FROM ? defaultStageThreads() : 0);
  // Started first: the threads load the import's code while the connection opens and the kind prepares.
  const threads = threadCount > 0 ? StageThreads.start(threadCount) : null;
  const connection = await openImportConnection(target).catch(async (e: unknown) => {
    await threads?.close();
    throw e;
  });
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
    await threads?.close();
    await connection.close();
  }
  await report?.close();
  return result;
}

/** The second and later staged rows of the repeated keys: "duplicate of line N", the first one kept. */
async function duplicateRows(s: ImportSession, key: string, keyColumn: string, repeated: number[]): Promise<Rejection[]> {
  const rows = await s.query<{ line: number; key: string; first: number }>(
    `SELECT line, key, first FROM (
       SELECT st.line, st.${key}::text AS key, min(st.line) OVER (PARTITION BY st.${key}) AS first
       FROM ${STAGE} st WHERE st.${key}::numeric = ANY($1::numeric[])
     ) d WHERE line <> first ORDER BY line`,
    [repeated],
  );
  return rows.map((r) => ({ line: r.line, key: r.key, reasons: [`${keyColumn}: повтор — уже в строке ${r.first} / duplicate of line ${r.first}`] }));
}
