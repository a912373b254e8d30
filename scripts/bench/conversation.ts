/**
 * `npm run bench:conversation`: BENCH_PARENTS (500) simulated parents at once complete the whole
 * conversation (language, own contact, IIN, the six questions, the extension) through the
 * Telegram channel in webhook mode, on the embedded database and on PostgreSQL; and, as the
 * reference, a bare grammY echo bot taking the same number of updates at the same pace. The fake
 * Bot API and the parents run in a worker thread (scripts/bench/platform.ts), as Telegram runs
 * on other machines: this thread holds only the product; the embedded database runs in its own
 * thread, as in the product (src/db/pglite-thread/).
 *
 * Two loads, each printed as updates/s, p50/p99/max server-side handling time per update (from
 * the webhook request's arrival to its answer: waiting for the chat's turn and the CPU, the inbox,
 * the conversation step with its queries, the replies sent to the fake API), product CPU per
 * update (this thread's busy time, plus the embedded database thread's), memory per 1 000
 * conversations and the ratios to the echo bot:
 * - paced: every parent reads each screen for a think time drawn from BENCH_THINK_MS (default
 *   2000-8000 ms, a quick parent on a phone), so 500 conversations run at once at a human pace;
 * - saturation: no think time, every parent presses again the moment the answer arrives — the
 *   highest rate the process sustains; time per update is then mostly waiting (≈ 500 ÷ rate).
 *
 * Before each measured run, BENCH_WARMUP (default 100) other parents go through the same
 * conversation unmeasured, so the figures are those of a warm process (a service runs for days),
 * not of V8 compiling Prisma's and grammY's code.
 *
 * BENCH_PARENTS (default 500), BENCH_DB = embedded | postgres | postgres-socket | both (default:
 * embedded and postgres) | all (the three; the socket one when BENCH_POSTGRES_SOCKET, default
 * /var/run/postgresql, has PostgreSQL's socket),
 * BENCH_LOADS = paced,saturation (default both), BENCH_THINK_MS (min-max, default 2000-8000),
 * BENCH_PHASES=1 (times of the conversation step, Bot API calls, SQL statements and GC pauses, and
 * per kind of update),
 * BENCH_TIMELINE=1 (p50/p99 per 5 s of each run),
 * BENCH_ECHO=0 (skip the echo bot's reference runs),
 * BENCH_SQL=1 (print every SQL statement),
 * BENCH_ALLOC=1 (bytes allocated on the product's thread per update, by package and function;
 *   BENCH_ALLOC=old: only what outlived a young-generation collection),
 * To compare with V8's defaults, run it without the product's V8 flag (src/v8-tuning.ts):
 * `node --expose-gc --import tsx scripts/bench/conversation.ts`.
 */
import { existsSync } from 'node:fs';
import inspector from 'node:inspector';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { constants as perfConstants, performance, PerformanceObserver, type EventLoopUtilization } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { Bot, webhookCallback } from 'grammy';
import pg from 'pg';
import { TelegramChannel } from '../../bots/telegram/channel.ts';
import { assembleCore, type Core } from '../../src/app.ts';
import { loadConfig } from '../../src/config/env.ts';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { generateDemoRegistry, seedDemo } from '../../src/db/seed/index.ts';
import type { HttpHandler } from '../../src/http/server.ts';
import { createLogger } from '../../src/log.ts';
import { missingV8Flags, V8_FLAGS } from '../../src/v8-tuning.ts';
import { decodeAction } from '../../src/conversation/core/action-codec.ts';
import type { PGliteThread } from '../../src/db/pglite-thread/thread.ts';
import { createTestDatabase } from '../../test-support/db.ts';
import type { PlatformReply, PlatformRequest, ThinkTime } from './platform.ts';

const PARENTS = Number(process.env['BENCH_PARENTS'] ?? 500);
const WARMUP = Number(process.env['BENCH_WARMUP'] ?? 100);
/** `postgres` over TCP to 127.0.0.1 (as to a database on another host); `postgres-socket` over its Unix socket (one host). */
type BenchDb = 'embedded' | 'postgres' | 'postgres-socket';
const SOCKET_DIR = process.env['BENCH_POSTGRES_SOCKET'] ?? '/var/run/postgresql';
const KINDS: BenchDb[] = (() => {
  const asked = process.env['BENCH_DB'] ?? 'both';
  if (asked === 'both') return ['embedded', 'postgres'];
  if (asked !== 'all') return [asked as BenchDb];
  return existsSync(path.join(SOCKET_DIR, '.s.PGSQL.5432')) ? ['embedded', 'postgres', 'postgres-socket'] : ['embedded', 'postgres'];
})();
const DB_NAMES: Record<BenchDb, string> = {
  embedded: 'embedded (PGlite)',
  postgres: 'PostgreSQL (TCP 127.0.0.1)',
  'postgres-socket': 'PostgreSQL (Unix socket)',
};
type Load = 'paced' | 'saturation';
const LOADS = (process.env['BENCH_LOADS'] ?? 'paced,saturation').split(',').map((l) => l.trim()) as Load[];
const THINK = parseThink(process.env['BENCH_THINK_MS'] ?? '2000-8000');
const ECHO = process.env['BENCH_ECHO'] !== '0';
/** BENCH_ALLOC=old: only the allocations that outlived a young-generation collection. */
const ALLOC_OLD_ONLY = process.env['BENCH_ALLOC'] === 'old';
const SECRET = 'bench_secret';
const SEED = 20_260_901;
const TARGET_P99_MS = 15;

function parseThink(text: string): ThinkTime {
  const [min, max] = text.split('-').map(Number);
  if (!Number.isFinite(min) || !Number.isFinite(max ?? min)) throw new Error(`BENCH_THINK_MS must be MIN-MAX in ms, not "${text}"`);
  return { min: min!, max: max ?? min! };
}

interface Figures {
  name: string;
  load: Load;
  updates: number;
  seconds: number;
  p50: number;
  p99: number;
  max: number;
  /** This thread's busy time per update. */
  cpuMs: number;
  /** The embedded database thread's busy time per update (PGlite's statements); null on PostgreSQL. */
  dbCpuMs: number | null;
  /** The fake Bot API and parents' thread's busy time per update: what the benchmark itself takes from the 2 cores. */
  platformCpuMs: number;
  completed: number;
  /** Webhook answers other than 200 (none expected). */
  failures: number;
  rssPer1000: number;
  heapPer1000: number;
  queriesPerUpdate: number | null;
}

const gc = (globalThis as { gc?: () => void }).gc;
function memory(): { rss: number; heap: number } {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** The worker thread with the fake Bot API and the parents; one request at a time. */
class Platform {
  // Workers do not inherit tsx's loader: the worker registers it before importing the TypeScript.
  private readonly worker = new Worker(
    `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL('./platform.ts', import.meta.url).href)}); })`,
    { eval: true },
  );
  ask<T extends PlatformReply['type']>(req: PlatformRequest, expect: T): Promise<Extract<PlatformReply, { type: T }>> {
    return new Promise((resolve, reject) => {
      this.worker.once('message', (reply: PlatformReply) =>
        reply.type === expect ? resolve(reply as Extract<PlatformReply, { type: T }>) : reject(new Error(`platform answered ${reply.type}`)),
      );
      this.worker.postMessage(req);
    });
  }
  close(): Promise<number> {
    return this.worker.terminate();
  }
  eventLoopUtilization(since?: EventLoopUtilization): EventLoopUtilization {
    return since ? this.worker.performance.eventLoopUtilization(since) : this.worker.performance.eventLoopUtilization();
  }
}

/** Handling times of the updates of one run, with when each arrived. */
class Samples {
  readonly ms: number[] = [];
  private readonly at: number[] = [];
  add(at: number, ms: number): void {
    this.at.push(at);
    this.ms.push(ms);
  }
  clear(): void {
    this.at.length = 0;
    this.ms.length = 0;
  }
  /** p50/p99 per window of the run: where in the conversation the slow updates are. */
  timeline(windowMs = 5000): string[] {
    const windows = new Map<number, number[]>();
    const t0 = this.at[0] ?? 0;
    this.at.forEach((t, i) => {
      const w = Math.floor((t - t0) / windowMs);
      let window = windows.get(w);
      if (!window) windows.set(w, (window = []));
      window.push(this.ms[i]!);
    });
    return [...windows].map(([w, v]) => {
      v.sort((x, y) => x - y);
      return `  t=${(w * windowMs) / 1000}s n=${v.length} p50 ${percentile(v, 50).toFixed(1)} ms p99 ${percentile(v, 99).toFixed(1)} ms`;
    });
  }
}

/** What a Telegram update asks, for the times per kind of step (BENCH_PHASES). */
function kindOf(body: Buffer): string {
  const u = JSON.parse(body.toString('utf8')) as { message?: { text?: string; contact?: unknown }; callback_query?: { data?: string } };
  if (u.callback_query) {
    const decoded = decodeAction(u.callback_query.data ?? '');
    return `press ${decoded?.action.type ?? '?'}`;
  }
  if (u.message?.contact) return 'contact';
  return u.message?.text?.startsWith('/') ? u.message.text : 'text';
}

/** Wraps a route's handler to record how long each request takes on the server. */
function timedRoute(core: Core, path: string, samples: Samples, byKind: Map<string, number[]> | null): void {
  const routes = (core.http as unknown as { routes: Map<string, HttpHandler> }).routes;
  const inner = routes.get(`POST ${path}`)!;
  routes.set(`POST ${path}`, async (req) => {
    const t = performance.now();
    try {
      return await inner(req);
    } finally {
      const ms = performance.now() - t;
      samples.add(t, ms);
      if (byKind) {
        const kind = kindOf(req.body);
        const list = byKind.get(kind) ?? [];
        list.push(ms);
        byKind.set(kind, list);
      }
    }
  });
}

/** What a run of `drive` cost this thread: wall time, busy time and the peak RSS. */
async function measured(platform: Platform, drive: () => Promise<{ completed: number; failures: number }>, dbThread?: PGliteThread) {
  const before = memory();
  let peakRss = before.rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 250);
  const elu = performance.eventLoopUtilization();
  const dbElu = dbThread?.eventLoopUtilization();
  const platformElu = platform.eventLoopUtilization();
  const started = performance.now();
  const { completed, failures } = await drive();
  const seconds = (performance.now() - started) / 1000;
  const busyMs = performance.eventLoopUtilization(elu).active;
  const dbBusyMs = dbThread ? dbThread.eventLoopUtilization(dbElu).active : 0;
  const platformBusyMs = platform.eventLoopUtilization(platformElu).active;
  clearInterval(sampler);
  const after = memory();
  return {
    completed,
    failures,
    seconds,
    busyMs,
    dbBusyMs,
    platformBusyMs,
    rssPer1000: ((peakRss - before.rss) / PARENTS) * 1000,
    heapPer1000: ((after.heap - before.heap) / PARENTS) * 1000,
  };
}

function figures(name: string, load: Load, samples: Samples, m: Awaited<ReturnType<typeof measured>>, queriesPerUpdate: number | null): Figures {
  const sorted = [...samples.ms].sort((a, b) => a - b);
  if (process.env['BENCH_TIMELINE']) console.log(`${name}, ${load}:\n${samples.timeline().join('\n')}`);
  return {
    name,
    load,
    updates: sorted.length,
    seconds: m.seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? NaN,
    cpuMs: m.busyMs / Math.max(1, sorted.length),
    dbCpuMs: m.dbBusyMs > 0 ? m.dbBusyMs / Math.max(1, sorted.length) : null,
    platformCpuMs: m.platformBusyMs / Math.max(1, sorted.length),
    completed: m.completed,
    failures: m.failures,
    rssPer1000: m.rssPer1000,
    heapPer1000: m.heapPer1000,
    queriesPerUpdate,
  };
}

/** The database of one run, and what to clean up once the core has closed it. */
async function openBenchDatabase(kind: BenchDb): Promise<{ db: Database; cleanUp(): Promise<void> }> {
  if (kind === 'embedded') {
    // As the product runs it: PGlite in a thread of its own, on files.
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'kq-bench-'));
    return { db: await openDatabase({ kind: 'embedded', dataDir }), cleanUp: () => rm(dataDir, { recursive: true, force: true }) };
  }
  const created = await createTestDatabase('postgres');
  if (kind === 'postgres') return { db: created, cleanUp: async () => {} };
  const u = new URL(created.url!);
  const socket = `postgresql://${u.username}@localhost${u.pathname}?host=${encodeURIComponent(SOCKET_DIR)}`;
  return { db: await openDatabase({ kind: 'postgres', url: socket }, { migrate: false }), cleanUp: () => created.close() };
}

async function benchProduct(platform: Platform, kind: BenchDb, load: Load): Promise<Figures> {
  const now = new Date();
  const { db, cleanUp } = await openBenchDatabase(kind);
  const size = { now, seed: SEED, parents: PARENTS + WARMUP + 20, kindergartens: 100 };
  await seedDemo(db.prisma, size);
  const registry = generateDemoRegistry(size).parents.map((p) => ({ phone: p.phone, iin: p.iin }));
  const parents = registry.slice(0, PARENTS);
  const warmupParents = registry.slice(PARENTS, PARENTS + WARMUP);

  const config = loadConfig({
    SEED_DEMO: 'false',
    LOG_LEVEL: 'silent',
    TELEGRAM_BOT_TOKEN: '1:x',
    TELEGRAM_WEBHOOK_URL: 'http://127.0.0.1:1',
    TELEGRAM_WEBHOOK_SECRET: SECRET,
  });
  const core = await assembleCore(db, config, { seedDemo: false, logger: createLogger('silent') });
  const port = await core.http.listen(0, '127.0.0.1');
  const fake = await platform.ask({ type: 'startFake' }, 'fakeStarted');
  const channel = new TelegramChannel(core, {
    ...config.telegram!,
    token: fake.token,
    apiRoot: fake.apiRoot,
    webhookUrl: `http://127.0.0.1:${port}`,
    webhookSecret: SECRET,
  });
  await channel.start();
  const samples = new Samples();
  const byKind = process.env['BENCH_PHASES'] ? new Map<string, number[]>() : null;
  timedRoute(core, '/webhooks/telegram', samples, byKind);
  const url = `http://127.0.0.1:${port}/webhooks/telegram`;
  if (warmupParents.length > 0) {
    await platform.ask(
      { type: 'run', script: 'conversation', url, secret: SECRET, parents: warmupParents, firstUserId: WARMUP_USERS, think: NO_THINK, seed: SEED },
      'ran',
    );
    samples.clear();
    byKind?.clear();
  }
  const phases = { step: [] as number[], api: [] as number[], query: [] as number[] };
  const queriesBefore = sqlLog.count;
  if (process.env['BENCH_PHASES']) {
    sqlLog.timings = phases.query;
    const runtime = core.runtime;
    const handle = runtime.handle.bind(runtime);
    runtime.handle = async (...args) => {
      const t = performance.now();
      try {
        return await handle(...args);
      } finally {
        phases.step.push(performance.now() - t);
      }
    };
    channel.bot.api.config.use(async (prev, method, payload, signal) => {
      const t = performance.now();
      try {
        return await prev(method, payload, signal);
      } finally {
        phases.api.push(performance.now() - t);
      }
    });
  }

  const gcs: { kind: number; ms: number }[] = [];
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcs.push({ kind: (e as unknown as { detail?: { kind: number } }).detail?.kind ?? 0, ms: e.duration });
  });
  if (process.env['BENCH_PHASES']) gcObserver.observe({ entryTypes: ['gc'] });
  const allocations = process.env['BENCH_ALLOC'] ? await sampleAllocations() : null;
  const m = await measured(
    platform,
    () =>
      platform.ask({ type: 'run', script: 'conversation', url, secret: SECRET, parents, firstUserId: MEASURED_USERS, think: thinkOf(load), seed: SEED }, 'ran'),
    db.thread,
  );
  sqlLog.timings = null;
  gcObserver.disconnect();
  if (allocations) printAllocations(await allocations.stop(), samples.ms.length);
  if (gcs.length > 0) console.log(`  heap in use at the end: ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MB`);
  for (const kind of new Set(gcs.map((g) => g.kind))) {
    const v = gcs
      .filter((g) => g.kind === kind)
      .map((g) => g.ms)
      .sort((a, b) => a - b);
    const name = GC_KINDS[kind] ?? `kind ${kind}`;
    console.log(
      `  gc ${name}: n=${v.length} total ${v.reduce((a, b) => a + b, 0).toFixed(0)} ms p50 ${percentile(v, 50).toFixed(1)} ms max ${v.at(-1)!.toFixed(1)} ms`,
    );
  }
  const queries = sqlLog.count - queriesBefore;
  for (const [name, v] of Object.entries(phases)) {
    if (v.length === 0) continue;
    v.sort((a, b) => a - b);
    console.log(`  ${kind} ${name}: n=${v.length} p50 ${percentile(v, 50).toFixed(1)} ms p99 ${percentile(v, 99).toFixed(1)} ms`);
  }
  for (const [kind, v] of [...(byKind ?? [])].sort((a, b) => a[0].localeCompare(b[0]))) {
    v.sort((a, b) => a - b);
    console.log(`  ${kind}: n=${v.length} p50 ${percentile(v, 50).toFixed(1)} ms p99 ${percentile(v, 99).toFixed(1)} ms max ${v.at(-1)!.toFixed(1)} ms`);
  }
  for (const [statement, v] of [...sqlLog.byStatement].sort((a, b) => b[1].reduce((x, y) => x + y, 0) - a[1].reduce((x, y) => x + y, 0)).slice(0, 16)) {
    v.sort((a, b) => a - b);
    console.log(`    sql ${statement}: n=${v.length} p50 ${percentile(v, 50).toFixed(2)} ms p99 ${percentile(v, 99).toFixed(2)} ms`);
  }
  sqlLog.byStatement.clear();

  await channel.stop();
  await core.close();
  await cleanUp();
  await platform.ask({ type: 'closeFake' }, 'fakeClosed');
  return figures(`product, ${DB_NAMES[kind]}`, load, samples, m, kind === 'embedded' ? null : queries / samples.ms.length);
}

/**
 * BENCH_ALLOC=1: V8's sampling heap profiler on this thread, counting also what the collector
 * has freed again — where the bytes that keep the young generation's collector busy come from.
 * BENCH_ALLOC=old leaves out what the young generation's collector freed: what reached the old one.
 */
async function sampleAllocations(): Promise<{ stop(): Promise<HeapProfile> }> {
  const session = new inspector.Session();
  session.connect();
  const post = <T>(method: string, params?: object) =>
    new Promise<T>((resolve, reject) => session.post(method, params, (e, r) => (e ? reject(e) : resolve(r as T))));
  await post('HeapProfiler.startSampling', {
    samplingInterval: 4096,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: !ALLOC_OLD_ONLY,
  });
  return {
    async stop() {
      const { profile } = await post<{ profile: HeapProfile }>('HeapProfiler.stopSampling');
      session.disconnect();
      return profile;
    },
  };
}

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
}
type HeapProfile = { head: HeapNode };

function printAllocations(profile: HeapProfile, updates: number): void {
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  const where = (url: string) => {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    return m ? m[1]! : url ? path.relative(process.cwd(), url.replace('file://', '')) || url : '(native)';
  };
  const walk = (n: HeapNode) => {
    if (n.selfSize > 0) {
      total += n.selfSize;
      const pkg = where(n.callFrame.url);
      byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + n.selfSize);
      const fn = `${n.callFrame.functionName || '(anonymous)'} ${pkg}:${n.callFrame.lineNumber + 1}`;
      byFunction.set(fn, (byFunction.get(fn) ?? 0) + n.selfSize);
    }
    n.children.forEach(walk);
  };
  walk(profile.head);
  const kb = (b: number) => `${(b / 1024 / Math.max(1, updates)).toFixed(1)} KB/update`;
  console.log(`  ${ALLOC_OLD_ONLY ? 'outlived the young generation' : 'allocated'} on the product's thread: ${kb(total)}`);
  for (const [name, b] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`    ${name}: ${kb(b)}`);
  for (const [name, b] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`    ${name}: ${kb(b)}`);
}

/** The `detail.kind` of a `gc` performance entry. */
const GC_KINDS: Record<number, string> = {
  [perfConstants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
  [perfConstants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact',
  [perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental marking',
  [perfConstants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak callbacks',
};

const NO_THINK: ThinkTime = { min: 0, max: 0 };
const thinkOf = (load: Load): ThinkTime => (load === 'paced' ? THINK : NO_THINK);
/** Telegram user ids of the measured and the warm-up parents. */
const MEASURED_USERS = 5_000_000;
const WARMUP_USERS = 6_000_000;

/**
 * Counts (and with BENCH_PHASES times; with BENCH_SQL=1 prints) the statements sent to
 * PostgreSQL: every Prisma query, BEGIN and COMMIT goes through pg's Client#query. PGlite is
 * not counted — the same Prisma code makes the same statements there.
 */
const sqlLog = { count: 0, timings: null as number[] | null, byStatement: new Map<string, number[]>() };
{
  const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  (pg.Client.prototype as unknown as { query: unknown }).query = function (this: pg.Client, ...args: unknown[]) {
    sqlLog.count++;
    const q = args[0] as string | { text: string };
    const text = typeof q === 'string' ? q : q.text;
    if (process.env['BENCH_SQL']) console.log('  sql:', text.slice(0, 160));
    const timings = sqlLog.timings;
    if (!timings) return query.apply(this, args);
    // pg-pool passes a callback; a direct client call gets a promise.
    const t = performance.now();
    const key = text
      .replace(/"public"\./g, '')
      .replace(/SELECT .* FROM/, 'SELECT … FROM')
      .slice(0, 48);
    const record = () => {
      const d = performance.now() - t;
      timings.push(d);
      const list = sqlLog.byStatement.get(key) ?? [];
      list.push(d);
      sqlLog.byStatement.set(key, list);
    };
    const cb = args.at(-1);
    if (typeof cb === 'function') {
      args[args.length - 1] = (...r: unknown[]) => {
        record();
        return (cb as (...r: unknown[]) => unknown)(...r);
      };
      return query.apply(this, args);
    }
    const result = query.apply(this, args);
    if (result instanceof Promise) void result.then(record, () => undefined);
    return result;
  };
}

/** The reference: grammY's own webhook callback answering every text with itself, under the same load. */
async function benchEcho(platform: Platform, load: Load, updatesPerParent: number): Promise<Figures> {
  const fake = await platform.ask({ type: 'startFake' }, 'fakeStarted');
  const bot = new Bot(fake.token, { client: { apiRoot: fake.apiRoot } });
  await bot.init();
  bot.on('message:text', (ctx) => ctx.reply(ctx.message.text));
  const callback = webhookCallback(bot, 'http', { secretToken: SECRET });
  const samples = new Samples();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const t = performance.now();
    res.on('finish', () => samples.add(t, performance.now() - t));
    void callback(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const texters = (n: number) => Array.from({ length: n }, () => ({ phone: '', iin: '' }));
  if (WARMUP > 0) {
    await platform.ask(
      { type: 'run', script: 'echo', url, secret: SECRET, parents: texters(WARMUP), firstUserId: WARMUP_USERS, think: NO_THINK, updatesPerParent, seed: SEED },
      'ran',
    );
    samples.clear();
  }
  const m = await measured(platform, () =>
    platform.ask(
      {
        type: 'run',
        script: 'echo',
        url,
        secret: SECRET,
        parents: texters(PARENTS),
        firstUserId: MEASURED_USERS,
        think: thinkOf(load),
        updatesPerParent,
        seed: SEED,
      },
      'ran',
    ),
  );
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await platform.ask({ type: 'closeFake' }, 'fakeClosed');
  return figures('bare grammY echo bot', load, samples, m, null);
}

const ms = (n: number) => `${n.toFixed(1)} ms`;
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

async function main(): Promise<void> {
  // The product's process starts with its V8 flags (npm start); the echo bot shares the process and the flags.
  const v8 = missingV8Flags().length === 0 ? V8_FLAGS.join(' ') : 'defaults';
  if (!gc) console.warn('(run with node --expose-gc for steadier memory figures: npm run bench:conversation does)');
  const platform = new Platform();
  const results: Figures[] = [];
  for (const load of LOADS) {
    const product: Figures[] = [];
    for (const kind of KINDS) {
      const r = await benchProduct(platform, kind, load);
      product.push(r);
      console.log(
        `${r.name}, ${load}: ${r.completed}/${PARENTS} conversations completed, ${r.updates} updates in ${r.seconds.toFixed(1)} s, ${r.failures} webhook answers other than 200; the fake platform's thread busy ${ms(r.platformCpuMs)} per update`,
      );
    }
    const perParent = Math.max(1, Math.round((product[0]?.updates ?? PARENTS * 16) / PARENTS));
    results.push(...product);
    if (ECHO) results.push(await benchEcho(platform, load, perParent));
  }
  await platform.close();

  const pace = `think time ${THINK.min}–${THINK.max} ms`;
  console.log(
    `\n${PARENTS} conversations at once, Telegram webhook, loopback fake Bot API in a worker thread, ${process.platform} ${process.arch}, node ${process.version}, V8 ${v8}\n`,
  );
  console.log(
    '| run | load | updates | updates/s | p50 | p99 | max | CPU / update | peak RSS / 1000 conv. | heap kept / 1000 conv. | queries / update | p99 vs echo | updates/s vs echo |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    const echo = results.find((e) => e.load === r.load && e.name.startsWith('bare'));
    const rate = r.updates / r.seconds;
    const vsEcho = (v: number, e: number | undefined, digits: number) => (e === undefined ? '—' : `${(v / e).toFixed(digits)}×`);
    console.log(
      `| ${r.name} | ${r.load === 'paced' ? pace : 'saturation'} | ${r.updates} | ${rate.toFixed(0)} | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.max)} | ${ms(r.cpuMs)}${r.dbCpuMs === null ? '' : ` + ${ms(r.dbCpuMs)} (database thread)`} | ${mb(r.rssPer1000)} | ${mb(r.heapPer1000)} | ${r.queriesPerUpdate === null ? '—' : r.queriesPerUpdate.toFixed(1)} | ${vsEcho(r.p99, echo?.p99, 1)} | ${vsEcho(rate, echo && echo.updates / echo.seconds, 2)} |`,
    );
  }
  const paced = results.filter((r) => r.load === 'paced' && !r.name.startsWith('bare'));
  if (paced.length > 0) {
    const missed = paced.filter((r) => r.p99 > TARGET_P99_MS);
    console.log(
      missed.length === 0
        ? `\np99 ≤ ${TARGET_P99_MS} ms at a human pace (${pace}): met`
        : `\np99 ≤ ${TARGET_P99_MS} ms at a human pace (${pace}): missed by ${missed.map((r) => r.name).join(', ')}`,
    );
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
