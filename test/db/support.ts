import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Database } from '../../src/db/client.ts';
import { type EngineConnection, pgliteEngineConnection, postgresEngineConnection } from '../../src/db/migrations/engine-connections.ts';
import { DEFAULT_MIGRATIONS_DIR } from '../../src/db/migrations/paths.ts';
import type { TestDatabase } from '../../test-support/db.ts';

/** Runs `use` with a schema-engine connection to the same database a test database uses. */
export async function withEngineFor<T>(db: TestDatabase, use: (conn: EngineConnection) => Promise<T>): Promise<T> {
  if (db.pglite) return use(pgliteEngineConnection(db.pglite));
  if (db.thread) return use(db.thread.engineConnection());
  if (!db.url) throw new Error('a postgres test database has a url');
  const conn = postgresEngineConnection(db.url);
  try {
    return await use(conn);
  } finally {
    await conn.close();
  }
}

const createdDirs: string[] = [];

/** A fresh directory under the OS temp dir; `removeTempDirs` (in afterAll) deletes them all. */
export async function tempDir(prefix: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `kq-${prefix}-`));
  createdDirs.push(dir);
  return dir;
}

export async function removeTempDirs(): Promise<void> {
  await Promise.all(createdDirs.splice(0).map((d) => fs.rm(d, { recursive: true, force: true })));
}

/** A writable copy of the committed migration history. */
export async function copyOfMigrations(): Promise<string> {
  const dir = path.join(await tempDir('migrations'), 'migrations');
  await fs.cp(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
  return dir;
}

export async function addMigration(migrationsDir: string, name: string, sql: string): Promise<void> {
  await fs.mkdir(path.join(migrationsDir, name), { recursive: true });
  await fs.writeFile(path.join(migrationsDir, name, 'migration.sql'), sql);
}

export interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
}

export function migrationRows(db: Database): Promise<MigrationRow[]> {
  return db.prisma.$queryRawUnsafe<MigrationRow[]>(
    'SELECT migration_name, checksum, finished_at, rolled_back_at, logs FROM _prisma_migrations ORDER BY started_at, migration_name',
  );
}

export async function tableExists(db: Database, table: string): Promise<boolean> {
  const rows = await db.prisma.$queryRawUnsafe<{ t: string | null }[]>('SELECT to_regclass($1)::text AS t', `public.${table}`);
  return rows[0]?.t != null;
}
