import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { type Database, databaseOnPGlite, databaseOnPGliteThread, openDatabase } from '../src/db/client.ts';
import { deployMigrations } from '../src/db/migrations/deploy.ts';
import { pgliteEngineConnection } from '../src/db/migrations/engine-connections.ts';
import { PINNED_ENGINE_HASH } from '../src/db/migrations/engine.ts';
import { readMigrationHistory } from '../src/db/migrations/history.ts';
import { DEFAULT_MIGRATIONS_DIR, PROJECT_ROOT } from '../src/db/migrations/paths.ts';
import { openMemoryPGlite, openMemoryPGliteThread } from '../src/db/pglite.ts';

/**
 * Fresh, migrated databases for tests: an in-memory PGlite ("embedded") or a throwaway database
 * on the local PostgreSQL server ("postgres"), dropped again on close.
 */
export type TestDbKind = 'embedded' | 'postgres';

function kindsFromEnv(value: string | undefined): TestDbKind[] {
  switch ((value ?? 'both').trim().toLowerCase()) {
    case 'embedded':
      return ['embedded'];
    case 'postgres':
      return ['postgres'];
    case 'both':
    case '':
      return ['embedded', 'postgres'];
    default:
      throw new Error(`TEST_DB must be embedded, postgres or both, not "${value}"`);
  }
}

/** Which kinds database tests run against: env TEST_DB = embedded | postgres | both (default). */
export const TEST_DB_KINDS: TestDbKind[] = kindsFromEnv(process.env['TEST_DB']);

/** A database a test runs on: a kind, the embedded one on the test's thread or on its own. */
export interface TestDbVariant {
  name: string;
  kind: TestDbKind;
  thread: boolean;
}

/**
 * TEST_DB_KINDS, with the embedded database also on a thread of its own as the product runs it:
 * for code that takes another path there (the registry import sends its COPY to that thread).
 */
export const TEST_DB_VARIANTS: TestDbVariant[] = TEST_DB_KINDS.flatMap((kind): TestDbVariant[] =>
  kind === 'embedded'
    ? [
        { name: 'embedded', kind, thread: false },
        { name: 'embedded, own thread', kind, thread: true },
      ]
    : [{ name: kind, kind, thread: false }],
);

/** Server on which throwaway test databases are created (any existing database on it will do). */
export const TEST_POSTGRES_URL = process.env['TEST_POSTGRES_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/test';

export type TestDatabase = Database & {
  /** Connection string of a postgres test database (for tests that open more clients). */
  url?: string;
};

export interface TestDatabaseOptions {
  /** Default true. */
  migrate?: boolean;
  migrationsDir?: string;
  /** Embedded only: PGlite in a thread of its own, as the product runs it (default: on the test's thread). */
  thread?: boolean;
}

export async function createTestDatabase(kind: TestDbKind, opts: TestDatabaseOptions = {}): Promise<TestDatabase> {
  return kind === 'embedded' ? createEmbeddedTestDatabase(opts) : createPostgresTestDatabase(opts);
}

// ---------------------------------------------------------------------------------------------
// embedded

/**
 * Booting PGlite from scratch costs ~2 s (initdb); loading a dump of an already migrated
 * database costs ~0.5 s. The dump is made once per migration history and kept in the OS temp
 * directory, so later test processes start from it too. Every database still runs the (then
 * empty) deploy, so a stale dump could only cost time, never correctness.
 */
async function createEmbeddedTestDatabase(opts: TestDatabaseOptions): Promise<TestDatabase> {
  const migrationsDir = path.resolve(opts.migrationsDir ?? DEFAULT_MIGRATIONS_DIR);
  const migrate = opts.migrate ?? true;
  const template = migrate ? await migratedTemplate(migrationsDir) : undefined;
  if (opts.thread) return databaseOnPGliteThread(await openMemoryPGliteThread(await template?.arrayBuffer()), { migrate, migrationsDir });
  return databaseOnPGlite(await openMemoryPGlite(template), { migrate, migrationsDir });
}

const templates = new Map<string, Promise<Blob>>();

function migratedTemplate(migrationsDir: string): Promise<Blob> {
  let t = templates.get(migrationsDir);
  if (!t) {
    t = loadOrBuildTemplate(migrationsDir);
    t.catch(() => templates.delete(migrationsDir));
    templates.set(migrationsDir, t);
  }
  return t;
}

async function templateKey(migrationsDir: string): Promise<string> {
  const list = await readMigrationHistory(migrationsDir);
  const h = createHash('sha256');
  const pgliteVersion = await fs
    .readFile(path.join(PROJECT_ROOT, 'node_modules', '@electric-sql', 'pglite', 'package.json'), 'utf8')
    .then((s) => (JSON.parse(s) as { version: string }).version)
    .catch(() => 'unknown');
  h.update(`${PINNED_ENGINE_HASH}\0${pgliteVersion}\0`);
  for (const d of list.migrationDirectories) h.update(`${d.path}\0${JSON.stringify(d.migrationFile.content)}\0`);
  return h.digest('hex').slice(0, 24);
}

async function loadOrBuildTemplate(migrationsDir: string): Promise<Blob> {
  const file = path.join(os.tmpdir(), 'kq-pglite-templates', `${await templateKey(migrationsDir)}.tar`);
  const cached = await fs.readFile(file).catch(() => null);
  if (cached) return new Blob([cached]);

  const opened = await openMemoryPGlite();
  try {
    await deployMigrations(pgliteEngineConnection(opened.pglite), migrationsDir);
    const dump = await opened.pglite.dumpDataDir('none');
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(tmp, Buffer.from(await dump.arrayBuffer()));
    await fs.rename(tmp, file);
    await pruneOtherTemplates(file);
    return dump;
  } finally {
    await opened.close();
  }
}

/** Dumps of older histories are ~40 MB each and never used again. */
async function pruneOtherTemplates(keep: string): Promise<void> {
  const dir = path.dirname(keep);
  for (const name of await fs.readdir(dir).catch(() => [])) {
    if (name.endsWith('.tar') && path.join(dir, name) !== keep) await fs.rm(path.join(dir, name), { force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// postgres

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** An empty database on the test server; `drop` removes it even with sessions still open. */
export async function createEmptyPostgresDatabase(): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `kq_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE "${name}"`);
  return {
    name,
    url: withDatabase(TEST_POSTGRES_URL, name),
    drop: () => adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

async function createPostgresTestDatabase(opts: TestDatabaseOptions): Promise<TestDatabase> {
  const empty = await createEmptyPostgresDatabase();
  let db: Database;
  try {
    db = await openDatabase({ kind: 'postgres', url: empty.url }, opts);
  } catch (e) {
    await empty.drop();
    throw e;
  }
  let closing: Promise<void> | undefined;
  return {
    ...db,
    url: empty.url,
    close: () =>
      (closing ??= (async () => {
        try {
          await db.close();
        } finally {
          await empty.drop();
        }
      })()),
  };
}
