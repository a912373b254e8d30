/**
 * `npm run bench:purge`: the purge at the deadline on a large registry — 1 000 000 applications on
 * PostgreSQL and 200 000 on the embedded database (PGlite), 25 % of them not extended. Also times
 * the dry run, the reminder planner (first run and a repeated tick) and the progress report on the
 * same data. Prints a table; not a test. BENCH_PG_APPS / BENCH_EMBEDDED_APPS change the sizes.
 */
import { performance } from 'node:perf_hooks';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { planReminders } from '../../src/campaign/planner.ts';
import { campaignProgress } from '../../src/campaign/progress.ts';
import { purgeDryRun, runPurge } from '../../src/campaign/purge.ts';
import { parseAlmatyDateTime } from '../../src/domain/almaty-time.ts';
import { createTestDatabase } from '../../test-support/db.ts';

const SIZES = {
  postgres: Number(process.env.BENCH_PG_APPS ?? 1_000_000),
  embedded: Number(process.env.BENCH_EMBEDDED_APPS ?? 200_000),
};

const OPENS = parseAlmatyDateTime('2026-10-01 10:00');
const DEADLINE = parseAlmatyDateTime('2026-12-25', { dateOnly: 'endOfDay' });
const GRANTED = parseAlmatyDateTime('2027-12-31', { dateOnly: 'endOfDay' });
const OLD = parseAlmatyDateTime('2026-09-30 23:59');

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const value = await fn();
  return [value, Math.round(performance.now() - t)];
}

/** A registry built set-based: ~1.6 applications per parent, one child per application, 60 % of parents linked. */
async function build(db: Database, apps: number): Promise<void> {
  const p = db.prisma;
  const parents = Math.ceil(apps / 1.6);
  await p.$executeRaw`
    INSERT INTO parents (iin, "fullName", phone, "createdAt")
    SELECT lpad(g::text, 12, '0'), 'Parent ' || g, '+7700' || lpad(g::text, 7, '0'), now() FROM generate_series(1, ${parents}::int) g`;
  await p.$executeRaw`
    INSERT INTO children (iin, "fullName", "birthDate", "parentId")
    SELECT '9' || lpad(g::text, 11, '0'), 'Child ' || g, date '2021-01-01' + (g % 1000), ((g - 1) % ${parents}::int) + 1
    FROM generate_series(1, ${apps}::int) g`;
  // every 4th application was not extended: still valid only for last season
  await p.$executeRaw`
    INSERT INTO applications ("queueNumber", "parentId", "childId", "registeredAt", status, "validUntil")
    SELECT g, ((g - 1) % ${parents}::int) + 1, g, timestamp '2022-01-01' + (g % 900) * interval '1 day', 'ACTIVE',
           CASE WHEN g % 4 = 0 THEN ${OLD}::timestamp(3) ELSE ${GRANTED}::timestamp(3) END
    FROM generate_series(1, ${apps}::int) g`;
  await p.$executeRaw`
    INSERT INTO chat_links (channel, "chatId", "parentId", locale, "verifiedAt")
    SELECT 'TELEGRAM', 'tg' || g, g, CASE WHEN g % 2 = 0 THEN 'kk'::"Locale" ELSE 'ru'::"Locale" END, now()
    FROM generate_series(1, ${parents}::int) g WHERE g % 5 < 3`;
  await p.$executeRaw`
    INSERT INTO chat_links (channel, "chatId", "parentId", locale, "verifiedAt")
    SELECT 'WHATSAPP', '7700' || g, g, 'ru', now() FROM generate_series(1, ${parents}::int) g WHERE g % 5 = 0`;
  await p.$executeRawUnsafe('ANALYZE');
}

async function measure(kind: 'postgres' | 'embedded'): Promise<Record<string, string | number>> {
  const apps = SIZES[kind];
  const db = kind === 'postgres' ? await createTestDatabase('postgres') : await openDatabase({ kind: 'memory' });
  try {
    const [, buildMs] = await timed(() => build(db, apps));
    const season = await db.prisma.season.create({ data: { code: '2026', opensAt: OPENS, deadline: DEADLINE, validUntil: GRANTED } });
    const now = new Date(DEADLINE.getTime() + 1000);

    const [planned, planMs] = await timed(() => planReminders(db.prisma, { season, offsetDays: 7, now: parseAlmatyDateTime('2026-12-18 09:00') }));
    const [, replanMs] = await timed(() => planReminders(db.prisma, { season, offsetDays: 7, now: parseAlmatyDateTime('2026-12-18 09:01') }));
    const [, progressMs] = await timed(() => campaignProgress(db.prisma, season, now));
    const [dry, dryMs] = await timed(() => purgeDryRun(db.prisma, season, now));
    const plan = await db.prisma.$queryRawUnsafe<{ 'QUERY PLAN': string }[]>(
      `EXPLAIN UPDATE applications SET status = 'STOP_LISTED' WHERE status = 'ACTIVE' AND "validUntil" <= '${DEADLINE.toISOString()}'::timestamptz AT TIME ZONE 'UTC'`,
    );
    const [purge, purgeMs] = await timed(() => runPurge(db.prisma, { season, now }));
    const [again, againMs] = await timed(() => runPurge(db.prisma, { season, now: new Date(now.getTime() + 60_000) }));
    if (purge.count !== dry.count || purge.count !== apps / 4 || again.count !== 0) {
      throw new Error(`unexpected counts: dry ${dry.count}, purge ${purge.count}, second ${again.count}`);
    }
    return {
      applications: apps,
      'build registry (s)': +(buildMs / 1000).toFixed(1),
      'plan reminders: rows': planned,
      'plan reminders (ms)': planMs,
      'plan again, all duplicates (ms)': replanMs,
      'progress report (ms)': progressMs,
      'dry run count': dry.count,
      'dry run (ms)': dryMs,
      'purge: moved': purge.count,
      'purge: notices': purge.notices,
      'PURGE (ms)': purgeMs,
      'second purge (ms)': againMs,
      plan: plan.map((r) => r['QUERY PLAN'].trim()).join('\n  '),
    };
  } finally {
    await db.close();
  }
}

async function main(): Promise<void> {
  const results: Record<string, Record<string, string | number>> = {};
  for (const kind of ['postgres', 'embedded'] as const) {
    console.error(`building ${SIZES[kind]} applications on ${kind}…`);
    results[kind] = await measure(kind);
  }
  // One row per figure, one column per database: fits a terminal.
  const table: Record<string, Record<string, string | number>> = {};
  for (const [kind, figures] of Object.entries(results)) {
    for (const [name, value] of Object.entries(figures)) if (name !== 'plan') (table[name] ??= {})[kind] = value;
  }
  console.log('\nPurge at the deadline, 25 % of applications not extended (target: ≤ 20 s for 1 000 000 on PostgreSQL)');
  console.table(table);
  for (const [kind, figures] of Object.entries(results)) console.log(`\n${kind}: query plan of the purge UPDATE\n  ${figures['plan']}`);
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
