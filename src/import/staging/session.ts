/**
 * The one connection an import runs on: a transaction in which the file is loaded into staging
 * tables (COPY where the database offers it) and merged into the registry with set-based
 * statements. Four ways to reach it, one behaviour:
 * - PostgreSQL: a `pg` client of its own, `COPY … FROM STDIN` (./pg-session.ts);
 * - PGlite on this thread (tests, the CLI on the embedded database): `COPY … FROM '/dev/blob'`
 *   with the file in slices (./pglite-session.ts);
 * - the product's embedded database on its own thread: the same COPY in slices, sent there with
 *   the statements in one of the thread's transactions (./thread-session.ts);
 * - a bare Prisma client, nothing else known: multi-row INSERTs inside a Prisma transaction
 *   (./prisma-session.ts).
 */

export interface ImportSession {
  /** One statement; `$1…` parameters. Counts come back as numbers only when cast (`::int`). */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Loads rows in COPY text format (./copy-text.ts) as UTF-8, a chunk of whole lines at a time. */
  copyIn(table: string, columns: readonly string[], chunks: AsyncIterable<Uint8Array>): Promise<void>;
}

export interface ImportConnection {
  /** How rows reach the staging table, for the operator's log and the benchmark. */
  readonly method: 'copy' | 'insert';
  /** Runs `fn` in one transaction: committed when it returns, rolled back when it throws. */
  transaction<T>(fn: (s: ImportSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
