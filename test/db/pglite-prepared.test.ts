import type { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { preparedStatements } from '../../src/db/pglite-prepared.ts';
import { scratchPGlite } from '../../src/db/scratch-pglite.ts';

/**
 * PGlite with every statement kept prepared (src/db/pglite-prepared.ts), compared with PGlite's
 * own `query` on the same database: the same rows, fields, counts and errors, whatever the
 * schema, the transaction or the number of statements does in between.
 */
const opened: PGlite[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((p) => p.close()));
});

async function database(): Promise<PGlite> {
  // Its own database for each test, loaded from a dump of a fresh cluster rather than initdb'd again.
  const pglite = await scratchPGlite();
  opened.push(pglite);
  await pglite.exec(`
    CREATE TABLE parents (id serial PRIMARY KEY, iin text UNIQUE NOT NULL, name text, born date, seen timestamp(3),
      kids int[], tags text[], extra jsonb, photo bytea, balance numeric(12, 2), big bigint, ok boolean);
    INSERT INTO parents (iin, name, born, seen, kids, tags, extra, photo, balance, big, ok)
    VALUES ('900101300112', 'Әлия', '1990-01-01', '2026-12-01 10:11:12.345', '{1,2,NULL}', '{"a b","ы"}', '{"k": [1, "ы"]}',
            '\\x00ff10', 12.5, 12345678901234, true),
           ('850505400223', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);`);
  return pglite;
}

const SELECT_BY = `SELECT id, iin, name, born, seen, kids, tags, extra, photo, balance, big, ok FROM parents WHERE iin = ANY($1::text[]) OR name = $2 ORDER BY id`;

/** Every parameter type the statements above take, and nulls. */
const PARAMS: [string, unknown[]][] = [
  [SELECT_BY, [['900101300112', '850505400223'], null]],
  [SELECT_BY, [[], 'Әлия']],
  [
    'SELECT $1::int + 1 AS n, $2::text AS t, $3::timestamp(3) AS ts, $4::jsonb AS j, $5::bytea AS b, $6::bool AS y, $7::numeric AS x',
    [41, 'Ә 👶', new Date('2026-01-02T03:04:05.006Z'), { a: [1, 'ы'] }, new Uint8Array([0, 255, 16]), false, '0.10'],
  ],
  [
    'SELECT $1::int[] AS ints, $2::text[] AS texts',
    [
      [1, null, 3],
      ['x', 'y z'],
    ],
  ],
];

describe('PGlite with prepared statements', () => {
  it('returns what PGlite.query returns, on the first run and on every run after', async () => {
    const pglite = await database();
    const { client, size } = preparedStatements(pglite);
    expect(size).toBe(0);
    for (const rowMode of ['array', 'object'] as const) {
      for (const [sql, params] of PARAMS) {
        const expected = await pglite.query(sql, params, { rowMode });
        for (let run = 0; run < 3; run++) expect(await client.query(sql, params, { rowMode })).toEqual(expected);
      }
    }
    const [, params] = PARAMS[0]!;
    expect((await client.query(SELECT_BY, params)).rows).toHaveLength(2);
  });

  it('prepares each statement once and reuses it', async () => {
    const pglite = await database();
    const prepared = preparedStatements(pglite);
    for (let i = 0; i < 5; i++) await prepared.client.query('SELECT count(*)::int AS n FROM parents WHERE id > $1', [i]);
    await prepared.client.query('SELECT 1 AS one');
    expect(prepared.size).toBe(2);
    const kept = await pglite.query<{ statement: string }>(`SELECT statement FROM pg_prepared_statements WHERE NOT from_sql ORDER BY prepare_time`);
    expect(kept.rows.map((r) => r.statement)).toEqual(['SELECT count(*)::int AS n FROM parents WHERE id > $1', 'SELECT 1 AS one']);
  });

  it('counts the rows a write changes, as PGlite.query does', async () => {
    const pglite = await database();
    const { client } = preparedStatements(pglite);
    const update = 'UPDATE parents SET ok = $1 WHERE id >= $2';
    expect((await client.query(update, [false, 1])).affectedRows).toBe(2);
    expect((await client.query(update, [true, 2])).affectedRows).toBe(1);
    expect((await pglite.query(update, [true, 2])).affectedRows).toBe(1);
    const insert = `INSERT INTO parents (iin) VALUES ($1) RETURNING id`;
    const inserted = await client.query<{ id: number }>(insert, ['010101500334']);
    expect(inserted).toMatchObject({ affectedRows: 1, rows: [{ id: 3 }] });
  });

  it('throws the database error PGlite.query throws, and keeps working', async () => {
    const pglite = await database();
    const prepared = preparedStatements(pglite);
    const insert = `INSERT INTO parents (iin) VALUES ($1)`;
    const failure = (p: Promise<unknown>) =>
      p.then(
        () => null,
        (e: unknown) => e as Error & Record<string, unknown>,
      );

    const ours = await failure(prepared.client.query(insert, ['900101300112']));
    const theirs = await failure(pglite.query(insert, ['900101300112']));
    expect(ours).toBeInstanceOf(Error);
    for (const field of ['name', 'message', 'code', 'severity', 'detail', 'constraint', 'table', 'query', 'params'])
      expect(ours?.[field], field).toEqual(theirs?.[field]);
    expect(ours?.code).toBe('23505');

    const bad = await failure(prepared.client.query('SELECT $1::int AS n', ['not a number']));
    expect(bad?.code).toBe('22P02');
    const syntax = await failure(prepared.client.query('SELEC 1'));
    expect(syntax?.code).toBe('42601');
    expect(prepared.size).toBe(2); // the insert and the cast, not the statement that never parsed
    expect((await prepared.client.query('SELECT $1::int AS n', ['7'])).rows).toEqual([{ n: 7 }]);
    expect((await prepared.client.query('SELECT count(*)::int AS n FROM parents')).rows).toEqual([{ n: 2 }]);
  });

  it('follows the schema when it changes under a kept statement', async () => {
    const pglite = await database();
    const prepared = preparedStatements(pglite);
    const all = 'SELECT * FROM parents ORDER BY id LIMIT 1';
    expect(Object.keys((await prepared.client.query<object>(all)).rows[0]!)).not.toContain('phone');
    await pglite.exec(`ALTER TABLE parents ADD COLUMN phone text DEFAULT '+77010000012'`);
    // PostgreSQL refuses the kept statement (its columns changed): prepared again and run.
    const after = await prepared.client.query<{ phone: string }>(all);
    expect(after.rows[0]!.phone).toBe('+77010000012');
    expect(after).toEqual(await pglite.query(all));

    await prepared.forget();
    expect(prepared.size).toBe(0);
    expect((await pglite.query(`SELECT count(*)::int AS n FROM pg_prepared_statements`)).rows).toEqual([{ n: 0 }]);
    expect((await prepared.client.query<{ phone: string }>(all)).rows[0]!.phone).toBe('+77010000012');
  });

  it('fails a transaction whose kept statement went stale inside it, and leaves one statement behind', async () => {
    const pglite = await database();
    const prepared = preparedStatements(pglite);
    const all = 'SELECT * FROM parents ORDER BY id LIMIT 1';
    await prepared.client.query(all);
    const failed = await prepared.client
      .transaction(async (tx) => {
        await tx.exec(`ALTER TABLE parents ADD COLUMN phone text`);
        await tx.query(all);
      })
      .catch((e: { code?: string }) => e.code);
    expect(failed).toBe('0A000'); // "cached plan must not change result type", and the ALTER rolled back
    expect(Object.keys((await prepared.client.query<object>(all)).rows[0]!)).not.toContain('phone');
    const kept = await pglite.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement = $1`, [all]);
    expect(kept.rows).toEqual([{ n: 1 }]);
  });

  it('finds again a statement deallocated behind its back', async () => {
    const pglite = await database();
    const prepared = preparedStatements(pglite);
    await prepared.client.query('SELECT 1 AS one');
    await pglite.exec('DEALLOCATE ALL');
    expect((await prepared.client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('closes the least recently used statements beyond its capacity', async () => {
    const pglite = await database();
    const prepared = preparedStatements(pglite, 3);
    const sql = (n: number) => `SELECT ${n} AS n`;
    for (const n of [1, 2, 3, 1, 4, 5]) expect((await prepared.client.query(sql(n))).rows).toEqual([{ n }]);
    expect(prepared.size).toBe(3);
    const kept = await pglite.query<{ statement: string }>(`SELECT statement FROM pg_prepared_statements ORDER BY statement`);
    expect(kept.rows.map((r) => r.statement)).toEqual([sql(1), sql(4), sql(5)]);
    expect((await prepared.client.query(sql(2))).rows).toEqual([{ n: 2 }]);
  });

  it('runs statements in transactions: rolled back, committed, and one transaction at a time', async () => {
    const pglite = await database();
    const { client } = preparedStatements(pglite);
    const rename = 'UPDATE parents SET name = $1 WHERE id = 1';
    const nameOf = async () => (await client.query<{ name: string }>('SELECT name FROM parents WHERE id = 1')).rows[0]!.name;

    await client.transaction(async (tx) => {
      await tx.query(rename, ['Асель']); // prepared inside the transaction…
      await tx.rollback();
    });
    expect(await nameOf()).toBe('Әлия');
    await client.query(rename, ['Дана']); // …and still there after its rollback
    expect(await nameOf()).toBe('Дана');

    const failed = await client
      .transaction(async (tx) => {
        await tx.query(rename, ['Зере']);
        await tx.query(`INSERT INTO parents (iin) VALUES ($1)`, ['900101300112']);
      })
      .catch((e: { code?: string }) => e.code);
    expect(failed).toBe('23505');
    expect(await nameOf()).toBe('Дана');

    // A lone statement waits for the open transaction instead of running inside it.
    const order: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const tx = client.transaction(async (t) => {
      await t.query(rename, ['Мадина']);
      order.push('tx wrote');
      await held;
      order.push('tx commits');
    });
    await vi.waitFor(() => expect(order).toEqual(['tx wrote']));
    const lone = nameOf().then((name) => order.push(`lone read ${name}`));
    // Given the time to run, the lone read must still be waiting behind the open transaction.
    await new Promise((r) => setTimeout(r, 10));
    expect(order).toEqual(['tx wrote']);
    release();
    await Promise.all([tx, lone]);
    expect(order).toEqual(['tx wrote', 'tx commits', 'lone read Мадина']);

    const closed = await client.transaction(async (t) => t);
    await expect(closed.query('SELECT 1')).rejects.toThrow(/closed/);
  });

  it('serves Prisma through pglite-prisma-adapter with its column types and error mapping', async () => {
    const pglite = await database();
    const adapter = await new PrismaPGlite(preparedStatements(pglite).client as PGlite).connect();
    const plain = await new PrismaPGlite(pglite).connect();
    const query = {
      sql: 'SELECT id, born, seen, kids, extra, photo, balance, big FROM parents WHERE id = $1',
      args: [1],
      argTypes: [{ scalarType: 'int' as const, arity: 'scalar' as const }],
    };
    expect(await adapter.queryRaw(query)).toEqual(await plain.queryRaw(query));
    const duplicate = {
      sql: 'INSERT INTO parents (iin) VALUES ($1)',
      args: ['900101300112'],
      argTypes: [{ scalarType: 'string' as const, arity: 'scalar' as const }],
    };
    const error = await adapter.executeRaw(duplicate).catch((e: { cause?: unknown }) => e.cause);
    expect(error).toEqual(await plain.executeRaw(duplicate).catch((e: { cause?: unknown }) => e.cause));
    expect(error).toMatchObject({ kind: 'UniqueConstraintViolation' });
  });
});
