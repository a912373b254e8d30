/**
 * `npm run bench:conversation`: simulated parents completing the whole conversation (language,
 * own contact, IIN, the six questions, the extension) through the Telegram channel in webhook
 * mode against the loopback fake Bot API, BENCH_PARENTS (500) at once, on the embedded database
 * and on PostgreSQL; and, as the reference, a bare grammY echo bot (webhook, same fake API, same
 * load). Prints updates/s, p50/p99 server-side handling time per update (the webhook handler's
 * time: parse, inbox, conversation step with its queries, replies sent to the fake API), memory
 * per 1 000 conversations, and the ratios to the echo bot. Not a test.
 *
 * BENCH_PARENTS (default 500), BENCH_DB = embedded | postgres | both (default both),
 * BENCH_CONCURRENCY (default BENCH_PARENTS: all at once), BENCH_PHASES=1 (time of the conversation
 * step, Bot API calls and SQL statements), BENCH_SQL=1 (print every SQL statement).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Bot, webhookCallback } from 'grammy';
import pg from 'pg';
import type { Update } from 'grammy/types';
import { TelegramChannel } from '../../bots/telegram/channel.ts';
import { assembleCore, type Core } from '../../src/app.ts';
import { loadConfig } from '../../src/config/env.ts';
import { decodeAction } from '../../src/conversation/action-codec.ts';
import { generateDemoRegistry, seedDemo } from '../../src/db/seed/index.ts';
import type { HttpHandler } from '../../src/http/server.ts';
import { createLogger } from '../../src/log.ts';
import { FakeTelegramApi } from '../../test/fakes/telegram-api.ts';
import { callbackQuery, contactMessage, startCommand, textMessage, userFor, type NewUpdate } from '../../test/fakes/telegram-updates.ts';
import { createTestDatabase, type TestDbKind } from '../../test/helpers/db.ts';
import { nextPress } from '../chaos/autopilot.ts';

const PARENTS = Number(process.env['BENCH_PARENTS'] ?? 500);
/** How many conversations run at once (default all); 1 gives the unloaded handling time of one conversation. */
const CONCURRENCY = Math.max(1, Math.min(PARENTS, Number(process.env['BENCH_CONCURRENCY'] ?? PARENTS)));
const KINDS: TestDbKind[] = (process.env['BENCH_DB'] ?? 'both') === 'both' ? ['embedded', 'postgres'] : [process.env['BENCH_DB'] as TestDbKind];
const SECRET = 'bench_secret';
const SEED = 20_260_901;

interface Figures {
  name: string;
  updates: number;
  seconds: number;
  p50: number;
  p99: number;
  max: number;
  completed: number;
  rssPer1000: number | null;
  heapPer1000: number | null;
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

/** Wraps a route's handler to record how long each request takes on the server. */
function timedRoute(core: Core, path: string, samples: number[]): void {
  const routes = (core.http as unknown as { routes: Map<string, HttpHandler> }).routes;
  const inner = routes.get(`POST ${path}`)!;
  routes.set(`POST ${path}`, async (req) => {
    const t = performance.now();
    try {
      return await inner(req);
    } finally {
      samples.push(performance.now() - t);
    }
  });
}

/** What each chat shows now, kept from the fake's call log incrementally (the fake's own lookups scan every message). */
class Chats {
  private seen = 0;
  private readonly keyboards = new Map<number, { messageId: number; date: number; text: string; buttons: { text: string; data: string }[] }>();
  constructor(private readonly fake: FakeTelegramApi) {}

  refresh(): void {
    const calls = this.fake.calls;
    for (; this.seen < calls.length; this.seen++) {
      const c = calls[this.seen]!;
      if ((c.method !== 'sendMessage' && c.method !== 'editMessageText') || !c.response.ok) continue;
      const inline = c.params.reply_markup?.inline_keyboard as { text: string; callback_data?: string }[][] | undefined;
      if (!inline) continue;
      const result = c.response.result as { message_id?: number; date?: number };
      const messageId = result.message_id ?? Number(c.params.message_id);
      this.keyboards.set(Number(c.params.chat_id), {
        messageId,
        date: result.date ?? Math.floor(Date.now() / 1000),
        text: String(c.params.text),
        buttons: inline.flat().filter((b) => b.callback_data).map((b) => ({ text: b.text, data: b.callback_data! })),
      });
    }
  }

  keyboard(chatId: number) {
    this.refresh();
    return this.keyboards.get(chatId) ?? null;
  }
}

async function benchProduct(kind: TestDbKind): Promise<Figures> {
  const now = new Date();
  const db = await createTestDatabase(kind);
  await seedDemo(db.prisma, { now, seed: SEED, parents: Math.max(PARENTS, 3) + 20, kindergartens: 100 });
  const registry = generateDemoRegistry({ now, seed: SEED, parents: Math.max(PARENTS, 3) + 20, kindergartens: 100 });
  const parents = registry.parents.slice(0, PARENTS);

  const config = loadConfig({ SEED_DEMO: 'false', LOG_LEVEL: 'silent', TELEGRAM_BOT_TOKEN: '1:x', TELEGRAM_WEBHOOK_URL: 'http://127.0.0.1:1', TELEGRAM_WEBHOOK_SECRET: SECRET });
  const core = await assembleCore(db, config, { seedDemo: false, logger: createLogger('silent') });
  const port = await core.http.listen(0, '127.0.0.1');
  const fake = await FakeTelegramApi.start();
  const channel = new TelegramChannel(core, { ...config.telegram!, token: fake.token, apiRoot: fake.apiRoot, webhookUrl: `http://127.0.0.1:${port}`, webhookSecret: SECRET });
  await channel.start();
  const samples: number[] = [];
  timedRoute(core, '/webhooks/telegram', samples);
  const phases = { step: [] as number[], api: [] as number[], query: [] as number[] };
  const queriesBefore = sqlLog.count;
  if (process.env['BENCH_PHASES']) {
    sqlLog.timings = phases.query;
    const runtime = core.runtime;
    const handle = runtime.handle.bind(runtime);
    runtime.handle = async (chat, input) => {
      const t = performance.now();
      try {
        return await handle(chat, input);
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
  const chats = new Chats(fake);
  const url = `http://127.0.0.1:${port}/webhooks/telegram`;
  const post = async (update: NewUpdate) => {
    const u = fake.stamp(update);
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET }, body: JSON.stringify(u) });
    await res.text();
    if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
  };

  const before = memory();
  let completed = 0;
  const started = performance.now();
  await inBatches(
    parents,
    CONCURRENCY,
    async (p, i) => {
      const user = userFor(5_000_000 + i, 'ru');
      const press = async (data: string) => {
        const k = chats.keyboard(user.id)!;
        await post(callbackQuery(fake, user, { message_id: k.messageId, chatId: user.id, text: k.text, inline: null, sentMarkup: null, date: k.date, editCount: 0 }, data));
      };
      await post(startCommand(user));
      const lang = chats.keyboard(user.id)!.buttons.find((b) => decodeAction(b.data)?.action.type === 'choose' && b.data.endsWith('.ru'));
      await press(lang!.data);
      await post(contactMessage(user, p.phone.slice(1)));
      await post(textMessage(user, p.iin));
      await press('x.extend');
      let lastMessage = -1;
      let tickedHere = false;
      for (let step = 0; step < 40; step++) {
        const k = chats.keyboard(user.id);
        if (!k) break;
        if (k.messageId !== lastMessage) tickedHere = false;
        lastMessage = k.messageId;
        const next = nextPress(k.buttons, tickedHere);
        if (!next) break;
        if (decodeAction(next.data)?.action.type === 'toggle') tickedHere = true;
        await press(next.data);
        if (next.final) {
          completed++;
          break;
        }
      }
    },
  );
  const seconds = (performance.now() - started) / 1000;
  const after = memory();
  sqlLog.timings = null;
  const queries = sqlLog.count - queriesBefore;
  for (const [name, v] of Object.entries(phases)) {
    if (v.length === 0) continue;
    v.sort((a, b) => a - b);
    console.log(`  ${kind} ${name}: n=${v.length} p50 ${percentile(v, 50).toFixed(1)} ms p99 ${percentile(v, 99).toFixed(1)} ms`);
  }
  for (const [statement, v] of [...sqlLog.byStatement].sort((a, b) => b[1].length - a[1].length).slice(0, 12)) {
    v.sort((a, b) => a - b);
    console.log(`    sql ${statement}: n=${v.length} p50 ${percentile(v, 50).toFixed(2)} ms p99 ${percentile(v, 99).toFixed(2)} ms`);
  }
  sqlLog.byStatement.clear();

  await channel.stop();
  await core.close();
  await fake.close();
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    name: `product, ${kind === 'embedded' ? 'embedded (PGlite)' : 'PostgreSQL'}`,
    updates: samples.length,
    seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? NaN,
    completed,
    rssPer1000: ((after.rss - before.rss) / PARENTS) * 1000,
    heapPer1000: ((after.heap - before.heap) / PARENTS) * 1000,
    queriesPerUpdate: kind === 'postgres' ? queries / samples.length : null,
  };
}

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
    const key = text.replace(/"public"\./g, '').replace(/SELECT .* FROM/, 'SELECT … FROM').slice(0, 48);
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

/** Runs `fn` over `items` with at most `limit` at a time. */
async function inBatches<T>(items: T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}

/** The reference: grammY's own webhook callback answering every text with itself. */
async function benchEcho(updatesPerParent: number): Promise<Figures> {
  const fake = await FakeTelegramApi.start();
  const bot = new Bot(fake.token, { client: { apiRoot: fake.apiRoot }, botInfo: fake.bot });
  bot.on('message:text', (ctx) => ctx.reply(ctx.message.text));
  const callback = webhookCallback(bot, 'http', { secretToken: SECRET });
  const samples: number[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const t = performance.now();
    res.on('finish', () => samples.push(performance.now() - t));
    void callback(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const before = memory();
  const started = performance.now();
  await inBatches(
    Array.from({ length: PARENTS }, (_, i) => i),
    CONCURRENCY,
    async (i) => {
      const user = userFor(5_000_000 + i, 'ru');
      for (let k = 0; k < updatesPerParent; k++) {
        const u: Update = fake.stamp(textMessage(user, `привет ${k}`));
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET }, body: JSON.stringify(u) });
        await res.text();
      }
    },
  );
  const seconds = (performance.now() - started) / 1000;
  const after = memory();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await fake.close();
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    name: 'bare grammY echo bot',
    updates: samples.length,
    seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? NaN,
    completed: PARENTS,
    rssPer1000: ((after.rss - before.rss) / PARENTS) * 1000,
    heapPer1000: ((after.heap - before.heap) / PARENTS) * 1000,
    queriesPerUpdate: null,
  };
}

const ms = (n: number) => `${n.toFixed(1)} ms`;
const mb = (n: number | null) => (n === null ? '—' : `${(n / 1024 / 1024).toFixed(1)} MB`);

async function main(): Promise<void> {
  if (!gc) console.warn('(run with node --expose-gc for steadier memory figures: npm run bench:conversation does)');
  const results: Figures[] = [];
  for (const kind of KINDS) {
    const r = await benchProduct(kind);
    results.push(r);
    console.log(`${r.name}: ${r.completed}/${PARENTS} conversations completed, ${r.updates} updates in ${r.seconds.toFixed(1)} s`);
  }
  const perParent = Math.max(1, Math.round((results[0]?.updates ?? PARENTS * 16) / PARENTS));
  const echo = await benchEcho(perParent);
  results.push(echo);

  console.log(`\n${PARENTS} conversations, ${CONCURRENCY} at a time, Telegram webhook, loopback fake Bot API, ${process.platform} ${process.arch}, node ${process.version}\n`);
  console.log('| run | updates | updates/s | p50 | p99 | max | RSS / 1000 conv. | heap / 1000 conv. | queries / update | p99 vs echo | updates/s vs echo |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    const rate = r.updates / r.seconds;
    const echoRate = echo.updates / echo.seconds;
    console.log(
      `| ${r.name} | ${r.updates} | ${rate.toFixed(0)} | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.max)} | ${mb(r.rssPer1000)} | ${mb(r.heapPer1000)} | ${r.queriesPerUpdate === null ? '—' : r.queriesPerUpdate.toFixed(1)} | ${(r.p99 / echo.p99).toFixed(1)}× | ${(rate / echoRate).toFixed(2)}× |`,
    );
  }
  const target = results.filter((r) => r !== echo && r.p99 > 15);
  console.log(target.length === 0 ? '\np99 ≤ 15 ms: met' : `\np99 ≤ 15 ms: missed by ${target.map((r) => r.name).join(', ')}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
