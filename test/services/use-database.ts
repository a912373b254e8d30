/**
 * One migrated database per test file and kind, emptied before every test so each test sees only
 * the rows it makes.
 */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { PrismaClient } from '../../src/generated/prisma/client.ts';
import { createTestDatabase, type TestDatabase, type TestDatabaseOptions, type TestDbKind } from '../../test-support/db.ts';
import { truncateAll } from '../helpers/fixtures.ts';

export function useTestDatabase(kind: TestDbKind, opts: TestDatabaseOptions = {}): () => TestDatabase {
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await createTestDatabase(kind, opts);
  });
  afterAll(async () => {
    await database?.close();
  });
  beforeEach(async () => {
    await truncateAll(database!.prisma);
  });
  return () => database!;
}

export function useDatabase(kind: TestDbKind): () => PrismaClient {
  const database = useTestDatabase(kind);
  return () => database().prisma;
}
