import fs from 'node:fs/promises';
import path from 'node:path';
import { pgliteEngineConnection } from './engine-connections.ts';
import { engineError, withSchemaEngine } from './engine.ts';
import { MigrationError } from './errors.ts';
import {
  diffDatabaseToSchema,
  LOCKFILE,
  LOCKFILE_CONTENT,
  MIGRATION_FILE,
  migrationNames,
  NO_FILTER,
  readMigrationHistory,
  readSchemaFiles,
} from './history.ts';
import { DEFAULT_MIGRATIONS_DIR, DEFAULT_SCHEMA_PATH } from './paths.ts';
import { scratchPGlite } from '../scratch-pglite.ts';

export interface MigrationPaths {
  schemaPath?: string;
  migrationsDir?: string;
}

/**
 * The SQL that takes a database built from the committed migrations to the schema file, or null
 * when the schema adds nothing. The history is replayed into a throwaway in-memory PGlite, so no
 * real database (and no shadow database) is touched.
 */
export async function unmigratedSchemaChanges(paths: MigrationPaths = {}): Promise<string | null> {
  const migrationsList = await readMigrationHistory(paths.migrationsDir ?? DEFAULT_MIGRATIONS_DIR);
  const schemaFiles = await readSchemaFiles(paths.schemaPath ?? DEFAULT_SCHEMA_PATH);
  const scratch = await scratchPGlite();
  try {
    return await withSchemaEngine(
      pgliteEngineConnection(scratch).factory,
      async (engine) => {
        await engine.applyMigrations({ migrationsList, filters: NO_FILTER }).catch((e: unknown) => {
          throw new MigrationError(`The committed migrations do not replay cleanly: ${engineError(e).message}`, { cause: e });
        });
        return diffDatabaseToSchema(engine, schemaFiles, migrationsList.baseDir);
      },
      { schemaFiles },
    );
  } catch (e) {
    if (e instanceof MigrationError) throw e;
    throw new MigrationError(`Comparing the schema with the migrations failed: ${engineError(e).message}`, { cause: e });
  } finally {
    await scratch.close();
  }
}

export interface CreatedMigration {
  name: string;
  dir: string;
  sql: string;
}

/** `my migration` → `my_migration`: directory names stay portable and sortable. */
export function migrationSlug(name: string): string {
  const slug = name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 100);
  if (slug === '') throw new MigrationError(`"${name}" is not usable as a migration name: use letters, digits and _.`);
  return slug;
}

/** UTC `YYYYMMDDHHMMSS`, the prefix Prisma gives migration directories. */
export function migrationTimestamp(at: Date): string {
  return at.toISOString().replace(/\D/g, '').slice(0, 14);
}

function timestampToDate(ts: string): Date {
  const [y, mo, d, h, mi, s] = [ts.slice(0, 4), ts.slice(4, 6), ts.slice(6, 8), ts.slice(8, 10), ts.slice(10, 12), ts.slice(12, 14)];
  return new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}Z`);
}

/**
 * Writes `prisma/migrations/<timestamp>_<name>/migration.sql` with what the schema adds to the
 * committed history (`prisma migrate dev --create-only`); null and nothing written when the
 * schema adds nothing.
 */
export async function createMigration(name: string, paths: MigrationPaths & { now?: Date } = {}): Promise<CreatedMigration | null> {
  const slug = migrationSlug(name);
  const migrationsDir = path.resolve(paths.migrationsDir ?? DEFAULT_MIGRATIONS_DIR);
  const sql = await unmigratedSchemaChanges({ ...paths, migrationsDir });
  if (sql === null) return null;

  // A new migration must sort after every committed one, even if a clock is behind.
  const existing = migrationNames(await readMigrationHistory(migrationsDir));
  let at = paths.now ?? new Date();
  const latest = existing
    .map((n) => n.slice(0, 14))
    .filter((p) => /^\d{14}$/.test(p))
    .at(-1);
  if (latest !== undefined && migrationTimestamp(at) <= latest) at = new Date(timestampToDate(latest).getTime() + 1000);
  const dirName = `${migrationTimestamp(at)}_${slug}`;
  const dir = path.join(migrationsDir, dirName);

  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, MIGRATION_FILE), sql, { flag: 'wx' });
  await fs.writeFile(path.join(migrationsDir, LOCKFILE), LOCKFILE_CONTENT, { flag: 'wx' }).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'EEXIST') throw e;
  });
  return { name: dirName, dir, sql };
}
