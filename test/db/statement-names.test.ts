import { afterEach, describe, expect, it } from 'vitest';
import { statementNames } from '../../src/db/statement-names.ts';
import { createTestDatabase, TEST_DB_KINDS, type TestDatabase } from '../../test-support/db.ts';

/**
 * PostgreSQL's statements are kept prepared per connection (src/db/statement-names.ts through
 * @prisma/adapter-pg's statementNameGenerator).
 */
const sql = (text: string) => ({ sql: text, args: [], argTypes: [] });

describe('statement names', () => {
  it('names each SQL text once, and leaves texts beyond its capacity unnamed', () => {
    const name = statementNames(2);
    expect(name(sql('SELECT 1'))).toBe('kq_1');
    expect(name(sql('SELECT 2'))).toBe('kq_2');
    expect(name(sql('SELECT 1'))).toBe('kq_1');
    expect(name(sql('SELECT 3'))).toBe('');
    expect(name(sql('SELECT 2'))).toBe('kq_2');
  });
});

describe.runIf(TEST_DB_KINDS.includes('postgres'))('PostgreSQL with statements kept prepared', () => {
  let db: TestDatabase | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  it('parses a statement once per connection, and runs it again with new values', async () => {
    db = await createTestDatabase('postgres');
    const kept = await db.prisma.$transaction(async (tx) => {
      // One transaction: one connection, whose prepared statements PostgreSQL lists.
      const found = [];
      for (const n of [1, 2, 3]) found.push(await tx.kindergarten.findFirst({ where: { number: n }, select: { number: true } }));
      expect(found).toEqual([null, null, null]);
      await tx.kindergarten.create({
        data: {
          number: 7,
          nameKk: 'a',
          nameRu: 'a',
          addressKk: 'a',
          addressRu: 'a',
          ownership: 'STATE',
          languages: ['KK'],
          capacity: 1,
          district: 'd',
          latitude: 43.2,
          longitude: 76.9,
        },
      });
      expect(await tx.kindergarten.findFirst({ where: { number: 7 }, select: { number: true } })).toEqual({ number: 7 });
      return tx.$queryRaw<{ name: string; statement: string }[]>`SELECT name, statement FROM pg_prepared_statements ORDER BY prepare_time`;
    });
    const finds = kept.filter((k) => k.statement.includes('"kindergartens"') && k.statement.startsWith('SELECT'));
    expect(finds).toHaveLength(1);
    expect(finds[0]!.name).toMatch(/^kq_\d+$/);
  });

  it('plans a kept statement again when a migration adds a column under it', async () => {
    db = await createTestDatabase('postgres');
    const kept = await db.prisma.$transaction(async (tx) => {
      const find = () => tx.kindergarten.findMany({ where: { capacity: { gt: 0 } }, select: { number: true } });
      await find();
      await tx.$executeRawUnsafe(`ALTER TABLE kindergartens ADD COLUMN rollout_test text`);
      await expect(find()).resolves.toEqual([]);
      return tx.$queryRaw<{ statement: string }[]>`SELECT statement FROM pg_prepared_statements`;
    });
    expect(kept.filter((k) => k.statement.includes('"capacity" >'))).toHaveLength(1);
  });
});
