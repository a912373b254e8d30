import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { readMigrationHistory } from '../../src/db/migrations/history.ts';
import { DEFAULT_MIGRATIONS_DIR } from '../../src/db/migrations/paths.ts';
import { createEmptyPostgresDatabase, createTestDatabase, TEST_DB_KINDS, type TestDatabase } from '../../test-support/db.ts';
import { addMigration, copyOfMigrations, migrationRows, removeTempDirs } from './support.ts';

afterAll(removeTempDirs);

const committed = (await readMigrationHistory(DEFAULT_MIGRATIONS_DIR)).migrationDirectories.map((d) => d.path);

describe.each(TEST_DB_KINDS)('database on %s', (kind) => {
  let db: TestDatabase | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  it('round-trips a kindergarten through Prisma', async () => {
    db = await createTestDatabase(kind);
    expect(db.kind).toBe(kind);
    const created = await db.prisma.kindergarten.create({
      data: {
        number: 42,
        nameKk: '42 балабақша «Айгөлек»',
        nameRu: 'Детский сад № 42 «Айгөлек»',
        addressKk: 'Абай даңғылы, 10',
        addressRu: 'пр. Абая, 10',
        ownership: 'PRIVATE',
        languages: ['KK', 'RU'],
        capacity: 240,
        district: 'Бостандыкский',
        latitude: 43.2389,
        longitude: 76.8897,
      },
    });
    const found = await db.prisma.kindergarten.findUnique({ where: { number: 42 } });
    expect(found).toEqual(created);
    expect(found?.languages).toEqual(['KK', 'RU']);
    expect(found?.correctional).toBe(false);
  });

  it('closes idempotently', async () => {
    const d = await createTestDatabase(kind);
    await Promise.all([d.close(), d.close()]);
    await d.close();
  });
});

describe.runIf(TEST_DB_KINDS.includes('postgres'))('several instances starting at once on one PostgreSQL', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('migrate once between them', async () => {
    const empty = await createEmptyPostgresDatabase();
    cleanups.push(empty.drop);
    const dbs = await Promise.all(Array.from({ length: 5 }, () => openDatabase({ kind: 'postgres', url: empty.url })));
    cleanups.push(async () => void (await Promise.all(dbs.map((d) => d.close()))));
    const rows = await migrationRows(dbs[0]!);
    expect(rows.map((r) => r.migration_name)).toEqual(committed);
    expect(rows.every((r) => r.finished_at !== null && r.rolled_back_at === null)).toBe(true);
  });

  it('wait for a migration that outlasts the engine’s own 10 s lock timeout', async () => {
    const dir = await copyOfMigrations();
    await addMigration(dir, '29991231000000_slow', 'SELECT pg_sleep(11);\nCREATE TABLE "slow_probe" ("id" INTEGER);\n');
    const empty = await createEmptyPostgresDatabase();
    cleanups.push(empty.drop);
    const opening: Promise<Database>[] = [];
    for (let i = 0; i < 3; i++) opening.push(openDatabase({ kind: 'postgres', url: empty.url }, { migrationsDir: dir }));
    const dbs = await Promise.all(opening);
    cleanups.push(async () => void (await Promise.all(dbs.map((d) => d.close()))));
    const rows = await migrationRows(dbs[0]!);
    expect(rows.map((r) => r.migration_name)).toEqual([...committed, '29991231000000_slow']);
  }, 60_000);
});
