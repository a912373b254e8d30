import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { deployMigrations } from '../../src/db/migrations/deploy.ts';
import { PINNED_ENGINE_HASH, schemaEngineVersion } from '../../src/db/migrations/engine.ts';
import { MigrationError } from '../../src/db/migrations/errors.ts';
import { migrationChecksum, readMigrationHistory } from '../../src/db/migrations/history.ts';
import { DEFAULT_MIGRATIONS_DIR } from '../../src/db/migrations/paths.ts';
import { isUpToDate, migrationStatus } from '../../src/db/migrations/status.ts';
import { createTestDatabase, TEST_DB_KINDS, type TestDatabase } from '../../test-support/db.ts';
import { addMigration, copyOfMigrations, migrationRows, tableExists, withEngineFor, removeTempDirs } from './support.ts';

afterAll(removeTempDirs);

const committed = (await readMigrationHistory(DEFAULT_MIGRATIONS_DIR)).migrationDirectories.map((d) => d.path);

it('loads the pinned schema engine build', async () => {
  expect(await schemaEngineVersion()).toBe(PINNED_ENGINE_HASH);
});

it('has a committed migration history', () => {
  expect(committed.length).toBeGreaterThan(0);
  expect(committed[0]).toMatch(/^\d{14}_init$/);
});

describe.each(TEST_DB_KINDS)('migrations on %s', (kind) => {
  let db: TestDatabase | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  it('applies the history once: a second deploy applies nothing', async () => {
    db = await createTestDatabase(kind, { migrate: false });
    const first = await withEngineFor(db, (conn) => deployMigrations(conn));
    expect(first.applied).toEqual(committed);
    const second = await withEngineFor(db, (conn) => deployMigrations(conn));
    expect(second.applied).toEqual([]);
    expect(await tableExists(db, 'kindergartens')).toBe(true);
  });

  it('records each migration with the sha256 of its migration.sql', async () => {
    db = await createTestDatabase(kind);
    const rows = await migrationRows(db);
    expect(rows.map((r) => r.migration_name)).toEqual(committed);
    for (const row of rows) {
      const sql = await fs.readFile(path.join(DEFAULT_MIGRATIONS_DIR, row.migration_name, 'migration.sql'), 'utf8');
      expect(row.checksum).toBe(migrationChecksum(sql));
      expect(row.finished_at).toBeInstanceOf(Date);
    }
  });

  it('reports pending migrations before deploy and up to date after', async () => {
    db = await createTestDatabase(kind, { migrate: false });
    const before = await withEngineFor(db, (conn) => migrationStatus(conn));
    expect(before.pending).toEqual(committed);
    expect(before.applied).toEqual([]);
    expect(before.drift).not.toBeNull();
    expect(isUpToDate(before)).toBe(false);

    await withEngineFor(db, (conn) => deployMigrations(conn));
    const after = await withEngineFor(db, (conn) => migrationStatus(conn));
    expect(after).toMatchObject({ applied: committed, pending: [], failed: [], edited: [], missingLocally: [], drift: null });
    expect(isUpToDate(after)).toBe(true);
  });

  it('reports drift when the live database no longer matches the schema', async () => {
    db = await createTestDatabase(kind);
    await db.prisma.$executeRawUnsafe('ALTER TABLE "kindergartens" DROP COLUMN "district"');
    const s = await withEngineFor(db, (conn) => migrationStatus(conn));
    expect(s.pending).toEqual([]);
    expect(s.drift).toContain('"district"');
    expect(isUpToDate(s)).toBe(false);
  });

  it('reports a failing migration as failed, applies none of it, and records it as not finished', async () => {
    const dir = await copyOfMigrations();
    const broken = '29991231000000_broken';
    await addMigration(dir, broken, 'CREATE TABLE "half_done" ("id" INTEGER);\nSELECT 1 / 0;\n');
    db = await createTestDatabase(kind, { migrate: false });

    const error = await withEngineFor(db, (conn) => deployMigrations(conn, dir)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as Error).message).toContain(broken);
    expect((error as Error).message).toMatch(/division by zero/);

    // All of the failed script or none of it: the table it created first is gone.
    expect(await tableExists(db, 'half_done')).toBe(false);
    const rows = await migrationRows(db);
    const row = rows.find((r) => r.migration_name === broken);
    expect(row?.finished_at).toBeNull();
    expect(rows.filter((r) => r.finished_at !== null).map((r) => r.migration_name)).toEqual(committed);

    const s = await withEngineFor(db, (conn) => migrationStatus(conn, { migrationsDir: dir }));
    expect(s.failed).toEqual([broken]);
    expect(s.applied).toEqual(committed);

    // A later deploy refuses until the failure is resolved, instead of skipping it.
    await expect(withEngineFor(db, (conn) => deployMigrations(conn, dir))).rejects.toThrow(MigrationError);
  });

  it('reports a migration edited after it was applied', async () => {
    const dir = await copyOfMigrations();
    db = await createTestDatabase(kind, { migrationsDir: dir });
    const first = committed[0]!;
    await fs.appendFile(path.join(dir, first, 'migration.sql'), '\n-- edited\n');
    const s = await withEngineFor(db, (conn) => migrationStatus(conn, { migrationsDir: dir }));
    expect(s.edited).toEqual([first]);
    expect(isUpToDate(s)).toBe(false);
  });
});
