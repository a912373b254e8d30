/**
 * Messages between the product's thread and the thread that runs the embedded database
 * (./worker.ts). The driver adapter's calls cross as requests; their results and errors come back
 * as replies with the same id. The registry import (src/import/staging/thread-session.ts) runs in
 * one of the adapter's transactions too, with two requests of its own: `sql` (a statement, its rows
 * as PGlite gives them) and `copy` (COPY text loaded through PGlite's `/dev/blob`).
 */
import type { Error as DriverError, IsolationLevel, SqlQuery, SqlResultSet } from '@prisma/driver-adapter-utils';

/** What the worker opens: a data directory (locked by the opening thread), or memory from an optional dump. */
export interface WorkerInit {
  dataDir?: string;
  /** A `dumpDataDir` tarball to start an in-memory database from. */
  load?: ArrayBuffer;
}

export type Request =
  | { id: number; op: 'query'; tx: number | null; query: SqlQuery }
  | { id: number; op: 'execute'; tx: number | null; query: SqlQuery }
  | { id: number; op: 'script'; script: string }
  | { id: number; op: 'begin'; isolationLevel?: IsolationLevel }
  | { id: number; op: 'commit' | 'rollback'; tx: number }
  | { id: number; op: 'sql'; tx: number; text: string; params: unknown[] }
  /** `COPY table (columns) FROM '/dev/blob'`, the blob being `data`: COPY text as UTF-8, its buffer transferred. */
  | { id: number; op: 'copy'; tx: number; table: string; columns: readonly string[]; data: Uint8Array }
  | { id: number; op: 'close' };

export type Value = SqlResultSet | number | { tx: number; usePhantomQuery: boolean } | Record<string, unknown>[] | null;

/** An error as it crosses: the driver's mapped error when there is one (Prisma turns it into its P-codes). */
export interface ThrownError {
  driver?: DriverError;
  /** PostgreSQL's SQLSTATE of an error not mapped for Prisma (the import's own statements). */
  code?: string;
  name: string;
  message: string;
  stack?: string;
}

export type Reply = { id: number; ok: true; value: Value } | { id: number; ok: false; error: ThrownError };

/** The worker's first message: open, or why not. */
export type Ready = { ready: true } | { ready: false; error: ThrownError };
