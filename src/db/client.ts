import type { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient } from '../generated/prisma/client.ts';
import { deployMigrations } from './migrations/deploy.ts';
import { type EngineConnection, pgliteEngineConnection, postgresEngineConnection } from './migrations/engine-connections.ts';
import { preparedStatements } from './pglite-prepared.ts';
import { statementNames } from './statement-names.ts';
import { openEmbeddedPGliteThread, openMemoryPGlite, type OpenedPGlite, type OpenedPGliteThread } from './pglite.ts';
import type { PGliteThread } from './pglite-thread/thread.ts';
import { timedAdapterFactory, type StatementTap } from './timed-adapter.ts';

/**
 * The one way the app reaches its data: Prisma over PostgreSQL (DATABASE_URL) or over the
 * embedded PGlite. The database is migrated on open unless told otherwise, so code that gets a
 * Database can rely on the schema.
 */
export type DatabaseTarget = { kind: 'postgres'; url: string } | { kind: 'embedded'; dataDir: string } | { kind: 'memory' };

export interface OpenDatabaseOptions {
  /** Apply pending migrations on open (default true). */
  migrate?: boolean;
  /** Migration history to apply; default prisma/migrations. */
  migrationsDir?: string;
}

export interface Database {
  prisma: PrismaClient;
  kind: 'embedded' | 'postgres';
  /** PostgreSQL's connection string: a registry import opens a connection of its own for COPY. */
  url?: string;
  /** The PGlite instance behind an embedded database on this thread; for raw SQL and dumps. */
  pglite?: PGlite;
  /** The thread running an embedded database on a thread of its own. */
  thread?: PGliteThread;
  /** Every statement's duration goes here once something observes it (the core's metrics). */
  statements: StatementTap;
  /** Disconnects; for the embedded database also closes PGlite and releases the data-directory lock. Idempotent. */
  close(): Promise<void>;
}

/**
 * `minimal` errors: without it Prisma captures a stack trace (`new Error()`) on every query to
 * point a pretty error message at the calling line — a cost on each of the few queries of every
 * update. Errors keep their code, message and meta; the logs carry our own stack.
 */
const CLIENT_OPTIONS = { errorFormat: 'minimal' } as const;

export async function openDatabase(target: DatabaseTarget, opts: OpenDatabaseOptions = {}): Promise<Database> {
  switch (target.kind) {
    case 'postgres':
      return openPostgres(target.url, opts);
    case 'embedded':
      return databaseOnPGliteThread(await openEmbeddedPGliteThread(target.dataDir), opts);
    case 'memory':
      return databaseOnPGlite(await openMemoryPGlite(), opts);
  }
}

/**
 * A Database over an already opened PGlite (which it then owns). Migrations run in this process
 * on this very instance: PGlite cannot be shared with a separate migrator process.
 */
export function databaseOnPGlite(opened: OpenedPGlite, opts: OpenDatabaseOptions = {}): Promise<Database> {
  const adapter = new PrismaPGlite(preparedStatements(opened.pglite).client as PGlite);
  return embedded(opened, pgliteEngineConnection(opened.pglite), adapter, opts, { pglite: opened.pglite });
}

/**
 * A Database over PGlite running in a thread of its own (which it then owns): the product's
 * embedded database. Migrations run through that thread before the client opens.
 */
export function databaseOnPGliteThread(opened: OpenedPGliteThread, opts: OpenDatabaseOptions = {}): Promise<Database> {
  return embedded(opened, opened.thread.engineConnection(), opened.thread.adapterFactory(), opts, { thread: opened.thread });
}

async function embedded(
  opened: { close(): Promise<void> },
  engine: EngineConnection,
  adapter: SqlDriverAdapterFactory,
  opts: OpenDatabaseOptions,
  handle: Pick<Database, 'pglite' | 'thread'>,
): Promise<Database> {
  try {
    if (opts.migrate ?? true) await deployMigrations(engine, opts.migrationsDir);
  } catch (e) {
    await opened.close();
    throw e;
  }
  const statements: StatementTap = { observe: null };
  const prisma = new PrismaClient({ ...CLIENT_OPTIONS, adapter: timedAdapterFactory(adapter, statements) });
  return {
    prisma,
    kind: 'embedded',
    statements,
    ...handle,
    close: once(async () => {
      try {
        await prisma.$disconnect();
      } finally {
        await opened.close();
      }
    }),
  };
}

async function openPostgres(url: string, opts: OpenDatabaseOptions): Promise<Database> {
  if (opts.migrate ?? true) {
    // A separate single-session connection: the engine's advisory lock makes instances that start
    // together take turns, and closing the session releases it.
    const conn = postgresEngineConnection(url);
    try {
      await deployMigrations(conn, opts.migrationsDir);
    } finally {
      await conn.close();
    }
  }
  const adapter = new PrismaPg({ connectionString: url }, { statementNameGenerator: statementNames() });
  const statements: StatementTap = { observe: null };
  const prisma = new PrismaClient({ ...CLIENT_OPTIONS, adapter: timedAdapterFactory(adapter, statements) });
  return { prisma, kind: 'postgres', url, statements, close: once(() => prisma.$disconnect()) };
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= fn());
}
