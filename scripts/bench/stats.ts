/**
 * `npm run bench:stats`: 1 000 000 questionnaires (BENCH_ROWS to change) over 1 000 kindergartens
 * bulk-created with generate_series in a throwaway PostgreSQL database, then the statistics export
 * timed (queries, and queries plus CSV and HTML). Target ≤ 5 s. Not a test.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTranslator } from '../../src/i18n/translator.ts';
import { exportStats } from '../../src/stats/export.ts';
import { createTestDatabase } from '../../test-support/db.ts';

const ROWS = Number(process.env['BENCH_ROWS'] ?? 1_000_000);

async function main(): Promise<void> {
  const db = await createTestDatabase('postgres');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kq-bench-stats-'));
  try {
    const p = db.prisma;
    const t0 = performance.now();
    await p.$executeRawUnsafe(`
      INSERT INTO kindergartens ("number", "nameKk", "nameRu", "addressKk", "addressRu", ownership, languages, capacity, district, latitude, longitude)
      SELECT i, '№' || i || ' балабақша', 'Детский сад №' || i, 'Абай даңғылы, ' || i, 'проспект Абая, ' || i,
             (CASE WHEN i % 7 = 0 THEN 'PRIVATE' ELSE 'STATE' END)::"Ownership", '{KK,RU}', 50 + i % 200, 'Район ' || (i % 12), 43.2, 76.9
      FROM generate_series(1, 1000) i`);
    await p.$executeRawUnsafe(`
      INSERT INTO parents (iin, "fullName", phone) SELECT lpad(i::text, 12, '0'), 'Parent ' || i, '+7701' || lpad(i::text, 7, '0')
      FROM generate_series(1, ${ROWS}) i`);
    const season = await p.season.create({
      data: { code: '2026', opensAt: new Date('2026-09-01'), deadline: new Date('2026-10-31'), validUntil: new Date('2027-10-31') },
    });
    const sections = `'{football,sportDance,ballroomDance,chess,basketball,drawing,extendedDay,funChemistry,karate,computerGraphics,youngEcologist,astronomy,other}'::text[]`;
    const digital = `'{invoices,cashless,absenceRecalculation,attendance,healthPassport,portfolio,teacherProfile,nutrition,eContracts,androidApp,iosApp,onlineReception,other}'::text[]`;
    await p.$executeRawUnsafe(`
      INSERT INTO questionnaires ("parentId", "seasonId", ownership, "ownershipReason", language, "maxPayment", sections, "sectionsOther", digital, "digitalOther", channel, "updatedAt")
      SELECT pr.id, ${season.id},
             (ARRAY['ANY','STATE','PRIVATE'])[1 + pr.id % 3]::"OwnershipPreference",
             CASE WHEN pr.id % 3 = 0 THEN NULL ELSE (ARRAY['QUALITY','COST'])[1 + pr.id % 2]::"OwnershipReason" END,
             (ARRAY['KK','RU'])[1 + (pr.id / 3) % 2]::"InstructionLanguage",
             (ARRAY[10000,15000,20000,25000,30000,35000,40000,45000,50000,70000,90000,110000])[1 + (pr.id * 7) % 12],
             ARRAY[(${sections})[1 + pr.id % 13], (${sections})[1 + (pr.id / 13) % 13]],
             CASE WHEN pr.id % 50 = 0 THEN (ARRAY['Домбыра', ' домбыра ', 'Плавание', 'ПЛАВАНИЕ'])[1 + (pr.id / 50) % 4] END,
             ARRAY[(${digital})[1 + pr.id % 13]],
             CASE WHEN pr.id % 90 = 0 THEN 'Telegram бот' END,
             'TELEGRAM', now()
      FROM parents pr`);
    await p.$executeRawUnsafe(`
      INSERT INTO questionnaire_choices ("questionnaireId", "kindergartenId", rank)
      SELECT q.id, k.id, r.rank
      FROM questionnaires q
      CROSS JOIN LATERAL generate_series(1, 1 + q.id % 3) AS r(rank)
      JOIN kindergartens k ON k."number" = 1 + ((q.id::bigint * 7919 + r.rank * 131) % 1000)`);
    await p.$executeRawUnsafe('ANALYZE');
    const [c] = await p.$queryRaw<
      { q: number; ch: number }[]
    >`SELECT (SELECT count(*) FROM questionnaires)::int AS q, (SELECT count(*) FROM questionnaire_choices)::int AS ch`;
    console.log(`created ${c!.q} questionnaires with ${c!.ch} kindergarten choices in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const translator = await createTranslator({ portal: 'https://egov.kz', supportPhone: '1414' });
    for (const run of [1, 2, 3]) {
      const started = performance.now();
      const r = await exportStats(p, { season, outDir: dir, locale: 'ru', translator, now: new Date() });
      const total = (performance.now() - started) / 1000;
      console.log(
        `run ${run}: queries ${r.querySeconds.toFixed(2)} s, with CSV + HTML ${total.toFixed(2)} s (target ≤ 5 s) — ${r.stats.questionnaires} questionnaires, median ${r.stats.paymentMedian}`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
    await db.close();
  }
}

await main();
