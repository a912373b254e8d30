/**
 * `npm run bench:db`: the embedded database (PGlite) against PostgreSQL on the operations the bot
 * does most — the figures behind the choice of PGlite as the embedded default (docs/architecture.md "Data").
 * Prints a table; not a test.
 */
import { performance } from 'node:perf_hooks';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { createTestDatabase } from '../../test-support/db.ts';

const N = Number(process.env.BENCH_ROWS ?? 2000);

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return Math.round(performance.now() - t);
}

async function measure(db: Database): Promise<Record<string, number>> {
  const p = db.prisma;
  const kg = (i: number, base: number) => ({
    number: base + i,
    nameKk: `Балабақша ${i}`,
    nameRu: `Детский сад ${i}`,
    addressKk: 'Абай даңғылы, 1',
    addressRu: 'проспект Абая, 1',
    ownership: 'STATE' as const,
    languages: ['KK' as const],
    capacity: 100,
    district: 'Орталық',
    latitude: 53.28,
    longitude: 69.39,
  });
  const r: Record<string, number> = {};
  r[`${N} creates in one transaction`] = await timed(() =>
    p.$transaction(async (tx) => {
      for (let i = 0; i < N; i++) await tx.kindergarten.create({ data: kg(i, 0) });
    }),
  );
  r[`${N} single upserts`] = await timed(async () => {
    for (let i = 0; i < N; i++) {
      await p.kindergarten.upsert({ where: { number: i }, create: kg(i, 0), update: { capacity: 120 } });
    }
  });
  r[`${N} findUnique`] = await timed(async () => {
    for (let i = 0; i < N; i++) await p.kindergarten.findUnique({ where: { number: i } });
  });
  r[`createMany ${N}`] = await timed(() => p.kindergarten.createMany({ data: Array.from({ length: N }, (_, i) => kg(i, 1_000_000)) }));
  return r;
}

async function main(): Promise<void> {
  const rows: Record<string, Record<string, number>> = {};
  for (const kind of ['embedded', 'postgres'] as const) {
    const cold = performance.now();
    const db = kind === 'embedded' ? await openDatabase({ kind: 'memory' }) : await createTestDatabase('postgres');
    await db.prisma.$queryRaw`SELECT 1`;
    const coldMs = Math.round(performance.now() - cold);
    try {
      rows[kind] = { 'open + migrate + first query': coldMs, ...(await measure(db)) };
    } finally {
      await db.close();
    }
  }
  console.log(`\nms, ${N} rows (lower is better); RSS now ${Math.round(process.memoryUsage().rss / 1e6)} MB`);
  console.table(rows);
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
