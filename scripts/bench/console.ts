/**
 * `npm run bench:console`: the operator console on PostgreSQL with a region-size registry —
 * 700 000 parents, 1 000 000 applications (BENCH_PARENTS, BENCH_APPLICATIONS to change), a season's
 * questionnaires, extensions, chats, outbox and audit rows — every page requested as a signed-in
 * admin over HTTP, one after another; prints p50 / p95 / max per page and the parent searches, and
 * the first (uncached) request of the pages whose figures are shared for a few seconds. Target:
 * p95 ≤ 150 ms everywhere. Not a test.
 */
import { assembleCore } from '../../src/app.ts';
import { CLI_ACTOR } from '../../src/console/audit.ts';
import { createUser } from '../../src/console/auth/users.ts';
import { loadConfig } from '../../src/config/env.ts';
import { createLogger } from '../../src/log.ts';
import { createTestDatabase } from '../../test-support/db.ts';
import { HttpClient, PASSWORD } from '../../test-support/console-harness.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const PARENTS = Number(process.env['BENCH_PARENTS'] ?? 700_000);
const APPLICATIONS = Number(process.env['BENCH_APPLICATIONS'] ?? 1_000_000);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 40);
const TARGET_MS = 150;

async function main(): Promise<void> {
  const db = await createTestDatabase('postgres');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kq-bench-console-'));
  const p = db.prisma;
  const t0 = performance.now();
  const sql = (s: string) => p.$executeRawUnsafe(s);
  await sql(`
    INSERT INTO kindergartens ("number", "nameKk", "nameRu", "addressKk", "addressRu", ownership, languages, capacity, district, latitude, longitude)
    SELECT i, '№' || i || ' балабақша', 'Детский сад №' || i, 'Абай даңғылы, ' || i, 'проспект Абая, ' || i,
           (CASE WHEN i % 7 = 0 THEN 'PRIVATE' ELSE 'STATE' END)::"Ownership", '{KK,RU}', 50 + i % 200, 'Район ' || (i % 12), 43.2, 76.9
    FROM generate_series(1, 1000) i`);
  const now = new Date();
  const season = await p.season.create({
    data: {
      code: '2026',
      opensAt: new Date(now.getTime() - 20 * 86_400_000),
      deadline: new Date(now.getTime() + 10 * 86_400_000),
      validUntil: new Date(now.getTime() + 375 * 86_400_000),
    },
  });
  await sql(`
    INSERT INTO parents (iin, "fullName", phone, locale, "notifyWhatsapp", "notifySms")
    SELECT lpad(i::text, 12, '0'), 'Ата-ана ' || i, '+7701' || lpad(i::text, 7, '0'), (CASE WHEN i % 5 < 3 THEN 'kk' ELSE 'ru' END)::"Locale", i % 10 < 7, i % 20 < 9
    FROM generate_series(1, ${PARENTS}) i`);
  await sql(`
    INSERT INTO children (iin, "fullName", "birthDate", "parentId")
    SELECT lpad((i + 100000000000)::text, 12, '0'), 'Бала ' || i, DATE '2022-06-01', 1 + (i - 1) % ${PARENTS}
    FROM generate_series(1, ${APPLICATIONS}) i`);
  await sql(`
    INSERT INTO applications ("queueNumber", "parentId", "childId", "registeredAt", status, "validUntil", "stopListedAt")
    SELECT c.id, c."parentId", c.id, TIMESTAMP '2023-05-10 06:00',
           (CASE WHEN c.id % 50 = 0 THEN 'STOP_LISTED' ELSE 'ACTIVE' END)::"ApplicationStatus",
           (CASE WHEN c.id % 3 = 0 THEN '${season.validUntil.toISOString()}'::timestamp ELSE '${new Date(season.deadline.getTime() - 60_000).toISOString()}'::timestamp END),
           (CASE WHEN c.id % 50 = 0 THEN now() END)
    FROM children c`);
  await sql(`
    INSERT INTO application_choices ("applicationId", "kindergartenId", rank)
    SELECT a.id, 1 + ((a.id::bigint * 7919 + r.rank * 131) % 1000), r.rank
    FROM applications a CROSS JOIN LATERAL generate_series(1, 1 + a.id % 3) AS r(rank)`);
  await sql(`
    INSERT INTO extensions ("applicationId", "seasonId", kind, "oldValidUntil", "newValidUntil", channel, "createdAt")
    SELECT a.id, ${season.id}, 'EXTEND', a."validUntil" - interval '1 year', a."validUntil", (ARRAY['TELEGRAM','WHATSAPP','CONSOLE'])[1 + a.id % 3]::"Channel",
           now() - ((a.id % 20) || ' days')::interval
    FROM applications a WHERE a.id % 3 = 0`);
  await sql(`
    INSERT INTO questionnaires ("parentId", "seasonId", ownership, language, "maxPayment", sections, "sectionsOther", digital, channel, "updatedAt")
    SELECT pr.id, ${season.id}, (ARRAY['ANY','STATE','PRIVATE'])[1 + pr.id % 3]::"OwnershipPreference", (ARRAY['KK','RU'])[1 + pr.id % 2]::"InstructionLanguage",
           (ARRAY[10000,20000,30000,50000])[1 + pr.id % 4], ARRAY['football','chess'], CASE WHEN pr.id % 50 = 0 THEN 'Домбыра' END, ARRAY['invoices'], 'TELEGRAM', now()
    FROM parents pr WHERE pr.id % 3 = 0`);
  await sql(`
    INSERT INTO questionnaire_choices ("questionnaireId", "kindergartenId", rank)
    SELECT q.id, 1 + ((q.id::bigint * 7919 + r.rank * 131) % 1000), r.rank FROM questionnaires q CROSS JOIN LATERAL generate_series(1, 1 + q.id % 3) AS r(rank)`);
  await sql(`
    INSERT INTO chat_links (channel, "chatId", "parentId", locale, "verifiedAt", "lastInboundAt")
    SELECT (CASE WHEN i % 5 < 3 THEN 'TELEGRAM' ELSE 'WHATSAPP' END)::"Channel", (500000000 + i)::text, i, 'kk', now(), now() - interval '2 days'
    FROM generate_series(1, ${PARENTS}, 5) i`);
  await sql(`
    INSERT INTO outbox ("dedupeKey", channel, "chatId", "parentId", kind, "seasonId", "offsetDays", payload, status, "sentAt", "createdAt")
    SELECT 'r:' || o.off || ':' || cl.id, cl.channel, cl."chatId", cl."parentId", 'REMINDER', ${season.id}, o.off, '{}'::jsonb,
           (CASE WHEN cl.id % 40 = 0 THEN 'FAILED' WHEN o.off = 7 THEN 'PENDING' ELSE 'SENT' END)::"OutboxStatus",
           (CASE WHEN o.off <> 7 THEN now() END), now()
    FROM chat_links cl CROSS JOIN (VALUES (30), (14), (7)) AS o(off)`);
  await sql(`
    INSERT INTO audit_log ("at", "userId", username, action, "objectType", "objectId", after)
    SELECT now() - (i || ' minutes')::interval, NULL, (ARRAY['aigerim','marat','dana'])[1 + i % 3], (ARRAY['parent.view','login','season.change','parent.unlock'])[1 + i % 4], 'parent', (i % ${PARENTS})::text, '{"x":1}'::jsonb
    FROM generate_series(1, 100000) i`);
  await sql('ANALYZE');
  const [counts] = await p.$queryRaw<Record<string, number>[]>`
    SELECT (SELECT count(*) FROM parents)::int AS parents, (SELECT count(*) FROM applications)::int AS applications,
           (SELECT count(*) FROM questionnaires)::int AS questionnaires, (SELECT count(*) FROM outbox)::int AS outbox, (SELECT count(*) FROM extensions)::int AS extensions`;
  console.log(`registry: ${JSON.stringify(counts)} in ${((performance.now() - t0) / 1000).toFixed(0)} s`);

  const config = loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: dataDir, SESSION_SECRET: 'bench-console-session-secret-0123456789abcdef' });
  const core = await assembleCore(db, config, { seedDemo: false, logger: createLogger('silent') });
  try {
    await createUser(p, CLI_ACTOR, { username: 'bench', role: 'ADMIN', password: PASSWORD });
    const base = `http://127.0.0.1:${await core.http.listen(0, '127.0.0.1')}`;
    const client = new HttpClient(base);
    if ((await client.login('bench')) !== 303) throw new Error('login failed');
    const someone = 123_457;
    const [app] = await p.$queryRaw<{ q: number; p: number }[]>`SELECT "queueNumber" AS q, "parentId" AS p FROM applications WHERE id = 654321`;
    const pages: [string, string][] = [
      ['dashboard', '/admin/dashboard'],
      ['dashboard (refresh)', '/admin/dashboard/live'],
      ['seasons', '/admin/seasons'],
      ['imports', '/admin/imports'],
      ['purge', '/admin/purge'],
      ['statistics', '/admin/stats'],
      ['statistics, one district', '/admin/stats?district=%D0%A0%D0%B0%D0%B9%D0%BE%D0%BD%203'],
      ['parents (empty)', '/admin/parents'],
      ['search by phone', `/admin/parents?q=${encodeURIComponent(`+7 701 ${String(someone).padStart(7, '0')}`)}`],
      ['search by IIN', `/admin/parents?q=${String(someone).padStart(12, '0')}`],
      ["search by a child's IIN", `/admin/parents?q=${String(100000000000 + 654321)}`],
      ['search by queue number', `/admin/parents?q=${app!.q}`],
      ['parent card', `/admin/parents/${app!.p}`],
      ['audit log', '/admin/audit'],
      ['audit log, filtered', '/admin/audit?username=marat&action=parent.'],
      ['users', '/admin/users'],
    ];
    const rows: string[] = [];
    let worst = 0;
    for (const [name, url] of pages) {
      const first = performance.now();
      const r = await client.request('GET', url);
      const cold = performance.now() - first;
      if (r.status !== 200 && r.status !== 303) throw new Error(`${url}: ${r.status}`);
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const t = performance.now();
        await client.request('GET', url);
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      const q = (f: number) => times[Math.min(times.length - 1, Math.ceil(f * times.length) - 1)]!;
      worst = Math.max(worst, q(0.95));
      rows.push(
        `| ${name} | ${q(0.5).toFixed(1)} | ${q(0.95).toFixed(1)} | ${times.at(-1)!.toFixed(1)} | ${cold.toFixed(0)} | ${q(0.95) <= TARGET_MS ? 'yes' : 'NO'} |`,
      );
    }
    console.log(`\n| page | p50 ms | p95 ms | max ms | first request ms | p95 ≤ ${TARGET_MS} ms |\n|---|---|---|---|---|---|\n${rows.join('\n')}`);
    console.log(`\nworst p95: ${worst.toFixed(1)} ms (target ≤ ${TARGET_MS} ms), ${RUNS} requests per page after one first request`);
  } finally {
    await core.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
