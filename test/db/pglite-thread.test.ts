import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { deployMigrations } from '../../src/db/migrations/deploy.ts';
import { MigrationError } from '../../src/db/migrations/errors.ts';
import { Prisma } from '../../src/generated/prisma/client.ts';
import { createTestDatabase, TEST_DB_KINDS, type TestDatabase } from '../../test-support/db.ts';
import { addMigration, copyOfMigrations, migrationRows, removeTempDirs, tableExists, withEngineFor } from './support.ts';

/**
 * The embedded database as the product runs it: PGlite in a thread of its own behind a driver
 * adapter that carries Prisma's calls there (src/db/pglite-thread/). Compared with PGlite on the
 * test's own thread, which the rest of the suite uses.
 */
afterAll(removeTempDirs);

const dbs: TestDatabase[] = [];
afterEach(async () => {
  await Promise.all(dbs.splice(0).map((d) => d.close()));
});
async function open(thread: boolean, opts: { migrate?: boolean; migrationsDir?: string } = {}): Promise<TestDatabase> {
  const db = await createTestDatabase('embedded', { ...opts, thread });
  dbs.push(db);
  return db;
}

const kindergarten = (n: number) => ({
  number: n,
  nameKk: `${n} балабақша «Айгөлек»`,
  nameRu: `Детский сад № ${n} «Айгөлек» 👶`,
  addressKk: 'Абай даңғылы, 10',
  addressRu: 'пр. Абая, 10',
  ownership: 'PRIVATE' as const,
  languages: ['KK' as const, 'RU' as const],
  capacity: 240,
  district: 'Бостандыкский',
  latitude: 43.2389,
  longitude: 76.8897,
});

/** Model and raw queries over every kind of value the schema and the services use. */
async function sample(db: TestDatabase) {
  await db.prisma.kindergarten.createMany({ data: [kindergarten(1), kindergarten(2)] });
  const models = await db.prisma.kindergarten.findMany({ orderBy: { number: 'desc' } });
  const raw = await db.prisma.$queryRaw`
    SELECT '2026-12-01 10:11:12.345'::timestamp(3) AS ts, DATE '2026-09-01' AS d, 12345678901234::bigint AS big,
           12.50::numeric AS num, '\\x00ff10'::bytea AS bytes, '{"a": [1, "ы"]}'::jsonb AS json,
           ARRAY[1, 2, NULL]::int[] AS ints, NULL::text AS nothing, true AS yes, ${'Әлия'}::text AS param,
           ${new Date('2026-01-02T03:04:05.006Z')}::timestamp(3) AS param_ts`;
  const affected = await db.prisma.$executeRaw`UPDATE kindergartens SET capacity = capacity + 1 WHERE number >= ${1}`;
  return { models: models.map(({ id: _id, ...rest }) => rest), raw, affected };
}

describe.runIf(TEST_DB_KINDS.includes('embedded'))('embedded database in a thread of its own', () => {
  it('gives the same results as PGlite on the calling thread', async () => {
    const [here, there] = await Promise.all([open(false), open(true)]);
    expect(there.thread).toBeDefined();
    const [expected, actual] = [await sample(here), await sample(there)];
    expect(actual).toEqual(expected);
    expect(actual.affected).toBe(2);
    expect(actual.models[0]).toMatchObject({ number: 2, languages: ['KK', 'RU'], nameRu: 'Детский сад № 2 «Айгөлек» 👶' });
  });

  it("reports the database's errors as Prisma does on the calling thread", async () => {
    const db = await open(true);
    await db.prisma.kindergarten.create({ data: kindergarten(5) });
    const unique = await db.prisma.kindergarten.create({ data: kindergarten(5) }).catch((e: unknown) => e);
    expect(unique).toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
    expect((unique as Prisma.PrismaClientKnownRequestError).code).toBe('P2002');
    const raw = await db.prisma.$executeRaw`INSERT INTO kindergartens (number) VALUES (NULL)`.catch((e: unknown) => e);
    expect((raw as Prisma.PrismaClientKnownRequestError).code).toBe('P2010');
    expect((raw as Error).message).toMatch(/23502|null value/);
    // The database is still there for the next query.
    expect(await db.prisma.kindergarten.count()).toBe(1);
  });

  it('commits, rolls back, and runs transactions one at a time', async () => {
    const db = await open(true);
    await db.prisma.kindergarten.create({ data: kindergarten(1) });
    const failed = db.prisma.$transaction(async (tx) => {
      await tx.kindergarten.update({ where: { number: 1 }, data: { capacity: 1 } });
      throw new Error('changed my mind');
    });
    await expect(failed).rejects.toThrow('changed my mind');
    expect((await db.prisma.kindergarten.findUniqueOrThrow({ where: { number: 1 } })).capacity).toBe(240);

    // Read-modify-write in ten transactions at once: none sees another's half-done work.
    await Promise.all(
      Array.from({ length: 10 }, () =>
        db.prisma.$transaction(async (tx) => {
          const k = await tx.kindergarten.findUniqueOrThrow({ where: { number: 1 } });
          await tx.kindergarten.update({ where: { number: 1 }, data: { capacity: k.capacity + 1 } });
        }),
      ),
    );
    expect((await db.prisma.kindergarten.findUniqueOrThrow({ where: { number: 1 } })).capacity).toBe(250);
  });

  it("loads COPY text in an open transaction: rolled back with it, and no other caller's statement runs before it ends", async () => {
    const db = await open(true);
    const thread = db.thread!;
    const begin = async () => ((await thread.call({ op: 'begin' })) as { tx: number }).tx;
    const copy = async (tx: number, lines: string) => {
      const data = new TextEncoder().encode(lines);
      await thread.call({ op: 'copy', tx, table: 'parents', columns: ['iin', '"fullName"', 'phone'], data }, [data.buffer]);
      // Moved to the thread, not copied.
      expect(data.byteLength).toBe(0);
    };
    const rows = '900514401017\tСерикова Айгерим\t+77011234567\n881102301027\tИванов Иван\\tмладший\t+77020000002\n';
    const count = { text: 'SELECT count(*)::int AS n FROM parents', params: [] };

    let tx = await begin();
    await copy(tx, rows);
    expect(await thread.call({ op: 'sql', tx, ...count })).toEqual([{ n: 2 }]);
    await thread.call({ op: 'rollback', tx });
    expect(await db.prisma.parent.count()).toBe(0);

    tx = await begin();
    // Asked for while the transaction is open: answered only once it has committed (it would see no row before).
    let seen: number | undefined;
    const other = db.prisma.parent.count().then((n) => (seen = n));
    await copy(tx, rows);
    expect(await thread.call({ op: 'sql', tx, text: 'SELECT "fullName" FROM parents ORDER BY iin', params: [] })).toEqual([
      { fullName: 'Иванов Иван\tмладший' },
      { fullName: 'Серикова Айгерим' },
    ]);
    expect(seen).toBeUndefined();
    await thread.call({ op: 'commit', tx });
    await other;
    expect(seen).toBe(2);

    // A refused COPY comes back with PostgreSQL's code; the transaction is rolled back.
    tx = await begin();
    const bad = await copy(tx, '900514401017\tдубль\t+77011234567\n').catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: '23505' });
    await thread.call({ op: 'rollback', tx });
    expect(await db.prisma.parent.count()).toBe(2);
  });

  it("runs the statements off the caller's thread: its timers keep firing during a long one", async () => {
    const ticksDuring = async (db: TestDatabase) => {
      let ticks = 0;
      const timer = setInterval(() => ticks++, 5);
      const started = performance.now();
      await db.prisma.$queryRaw`SELECT sum(g) FROM generate_series(1, 3000000) g`;
      const ms = performance.now() - started;
      clearInterval(timer);
      return { ticks, ms };
    };
    const [here, there] = [await ticksDuring(await open(false)), await ticksDuring(await open(true))];
    // On the calling thread the statement holds the loop: no tick until it ends.
    expect(here.ticks).toBeLessThanOrEqual(1);
    expect(there.ticks).toBeGreaterThan(Math.min(10, there.ms / 20));
  });

  it('fails the waiting and every later query when the thread dies, instead of hanging', async () => {
    const db = await open(true);
    const worker = (db.thread as unknown as { worker: { terminate(): Promise<number> } }).worker;
    const waiting = db.prisma.$queryRaw`SELECT sum(g) FROM generate_series(1, 3000000) g`;
    await worker.terminate();
    await expect(waiting).rejects.toThrow(/embedded database thread exited/);
    await expect(db.prisma.kindergarten.count()).rejects.toThrow(/embedded database thread exited/);
    // The product exits on this (bots/main.ts) so that its supervisor starts it again.
    expect((await db.thread!.died).message).toMatch(/embedded database thread exited/);
  });

  it('does not report a thread that was closed as died', async () => {
    const db = await open(true);
    let died = false;
    void db.thread!.died.then(() => (died = true));
    await db.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(died).toBe(false);
    await expect(db.prisma.kindergarten.count()).rejects.toThrow();
  });

  it('migrates through the thread: a failing migration is reported, applies none of it, and is recorded as not finished', async () => {
    const dir = await copyOfMigrations();
    const broken = '29991231000000_broken';
    await addMigration(dir, broken, 'CREATE TABLE "half_done" ("id" INTEGER);\nSELECT 1 / 0;\n');
    const db = await open(true, { migrate: false });
    const error = await withEngineFor(db, (conn) => deployMigrations(conn, dir)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as Error).message).toMatch(/division by zero/);
    expect(await tableExists(db, 'half_done')).toBe(false);
    const row = (await migrationRows(db)).find((r) => r.migration_name === broken);
    expect(row?.finished_at).toBeNull();
    expect(await tableExists(db, 'kindergartens')).toBe(true);
  });
});
