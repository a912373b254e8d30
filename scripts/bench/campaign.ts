/**
 * `npm run bench:campaign` — a benchmark, not a test. On a throwaway PostgreSQL database:
 * 100 000 parents with a linked Telegram chat each and an application needing extension
 * (bulk-created with generate_series), one reminder offset planned with the planner, then
 * dispatcher processes (a fresh instance id each) send them to a loopback Bot API (its own process) that answers 429 above a cap (2 000/s here, the
 * configured rate set to the cap). Prints the delivered rate as a fraction of the cap, duplicates,
 * 429s received, the planner time and the dispatchers' CPU per 1 000 messages.
 *
 * Env: BENCH_PARENTS (100000), BENCH_CAP (2000), BENCH_INSTANCES (2 dispatcher processes),
 * BENCH_CPU_PROF (a directory: every child process writes a V8 CPU profile there),
 * TEST_POSTGRES_URL (postgresql://postgres@127.0.0.1:5432/test: the server to create the database on).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { planReminders } from '../../src/campaign/planner.ts';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { PROJECT_ROOT } from '../../src/db/migrations/paths.ts';

const PARENTS = Number(process.env['BENCH_PARENTS'] ?? 100_000);
const CAP = Number(process.env['BENCH_CAP'] ?? 2_000);
const INSTANCES = Number(process.env['BENCH_INSTANCES'] ?? 2);
const SERVER = process.env['TEST_POSTGRES_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/test';

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: SERVER });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

const name = `kq_bench_campaign_${randomBytes(4).toString('hex')}`;
const url = (() => {
  const u = new URL(SERVER);
  u.pathname = `/${name}`;
  return u.toString();
})();

async function seed(db: Database): Promise<void> {
  const p = db.prisma;
  // IINs only need to be unique 12-character strings here.
  await p.$executeRawUnsafe(`
    INSERT INTO parents (iin, "fullName", phone, locale)
    SELECT lpad(g::text, 12, '0'), 'Parent ' || g, '+7701' || lpad(g::text, 7, '0'), (CASE WHEN g % 2 = 0 THEN 'kk' ELSE 'ru' END)::"Locale"
    FROM generate_series(1, ${PARENTS}) g`);
  await p.$executeRawUnsafe(`
    INSERT INTO children (iin, "fullName", "birthDate", "parentId")
    SELECT lpad((g + 500000000)::text, 12, '0'), 'Child ' || g, DATE '2021-01-01' + (g % 1000), g FROM generate_series(1, ${PARENTS}) g`);
  await p.$executeRawUnsafe(`
    INSERT INTO applications ("queueNumber", "parentId", "childId", "registeredAt", "validUntil")
    SELECT 1000000 + g, g, g, TIMESTAMP '2023-05-10 06:00', TIMESTAMP '2026-09-30 19:00' FROM generate_series(1, ${PARENTS}) g`);
  await p.$executeRawUnsafe(`
    INSERT INTO chat_links (channel, "chatId", "parentId", locale)
    SELECT 'TELEGRAM', (10000000 + g)::text, g, (CASE WHEN g % 2 = 0 THEN 'kk' ELSE 'ru' END)::"Locale" FROM generate_series(1, ${PARENTS}) g`);
  await p.$executeRawUnsafe('ANALYZE');
}

interface Child {
  proc: ChildProcess;
  line: Promise<string>;
  exited: Promise<number | null>;
}

function spawnTsx(script: string, env: Record<string, string>): Child {
  // BENCH_CPU_PROF=dir: each child writes a V8 CPU profile there (--cpu-prof is refused in NODE_OPTIONS).
  const prof = process.env['BENCH_CPU_PROF'];
  const args = prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`, '--import', 'tsx', path.join(PROJECT_ROOT, script)] : [path.join(PROJECT_ROOT, script)];
  const proc = spawn(prof ? process.execPath : path.join(PROJECT_ROOT, 'node_modules/.bin/tsx'), args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const line = new Promise<string>((resolve) => {
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      if (out.includes('\n')) resolve(out.trim());
    });
    proc.on('exit', () => resolve(out.trim()));
  });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, line, exited };
}

async function main(): Promise<void> {
  await admin(`CREATE DATABASE "${name}"`);
  const db = await openDatabase({ kind: 'postgres', url });
  // The fake platform runs in a process of its own, off the dispatchers' event loops.
  const fake = spawnTsx('test/campaign/fixtures/capped-telegram-child.ts', { CAP: String(CAP) });
  try {
    const [, apiRoot, statsUrl] = /api=(\S+) stats=(\S+)/.exec(await fake.line) ?? [];
    if (!apiRoot || !statsUrl) throw new Error('the fake API did not start');
    let t = performance.now();
    await seed(db);
    console.log(`seeded ${PARENTS} parents, children, applications, chat links in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const now = new Date();
    const season = await db.prisma.season.create({
      data: {
        code: 'bench',
        opensAt: new Date(now.getTime() - 30 * 86_400_000),
        deadline: new Date(now.getTime() + 7 * 86_400_000),
        validUntil: new Date(now.getTime() + 365 * 86_400_000),
      },
    });
    t = performance.now();
    const planned = await planReminders(db.prisma, { season, offsetDays: 7, now });
    const plannerMs = performance.now() - t;
    console.log(`planner time for ${planned} rows: ${plannerMs.toFixed(0)} ms`);

    const wall0 = performance.now();
    const children = [];
    for (let i = 0; i < INSTANCES; i++) {
      children.push(
        spawnTsx('test/campaign/fixtures/dispatch-child.ts', { DATABASE_URL: url, API_ROOT: apiRoot, RATE: String(CAP), LANES: 'auto', BATCH: '200' }),
      );
    }
    const codes = await Promise.all(children.map((c) => c.exited));
    const wallS = (performance.now() - wall0) / 1000;
    if (codes.some((c) => c !== 0)) throw new Error(`a dispatcher failed: exit codes ${codes.join(', ')}`);
    const lines = await Promise.all(children.map((c) => c.line));
    const cpuMs = lines.reduce((sum, l) => sum + Number(/cpu=([\d.]+)/.exec(l)?.[1] ?? NaN), 0);
    const stats = (await (await fetch(statsUrl)).json()) as {
      accepted: number;
      tooMany: number;
      maxPerSecond: number;
      chats: number;
      duplicates: number;
      activeMs: number;
    };
    const sentRows = await db.prisma.outbox.count({ where: { status: 'SENT' } });

    const activeS = stats.activeMs / 1000;
    const rate = stats.accepted / activeS;
    console.log('');
    console.log(`dispatchers:                 ${INSTANCES} processes, cap ${CAP}/s, configured rate ${CAP}/s`);
    console.log(`messages delivered:          ${stats.accepted} to ${stats.chats} of ${planned} chats; SENT rows ${sentRows}`);
    console.log(`delivery time:               ${activeS.toFixed(1)} s (dispatchers' run incl. start ${wallS.toFixed(1)} s)`);
    console.log(`delivered rate:              ${rate.toFixed(0)}/s = ${(rate / CAP).toFixed(3)} of the cap (target ≥ 0.95)`);
    console.log(`max in any 1 s window:       ${stats.maxPerSecond}`);
    console.log(`per dispatcher:              ${lines.map((l) => l.replace(/^done /, '')).join(' | ')}`);
    console.log(`duplicates:                  ${stats.duplicates} (target 0)`);
    console.log(`429s received:               ${stats.tooMany} (target 0)`);
    console.log(`planner time for ${planned} rows: ${plannerMs.toFixed(0)} ms`);
    console.log(
      `dispatcher CPU per 1 000 messages: ${((cpuMs / stats.accepted) * 1000).toFixed(0)} ms (user+system of the dispatcher processes while dispatching)`,
    );
  } finally {
    fake.proc.kill('SIGTERM');
    await fake.exited;
    await db.close();
    await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
