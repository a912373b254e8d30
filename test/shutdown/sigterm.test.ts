/**
 * Graceful shutdown of the real process (`node --no-allocation-site-pretenuring --import tsx bots/main.ts`, as `npm start` and the
 * systemd unit run it) on SIGTERM, in Telegram webhook mode
 * on a PostgreSQL test database against the loopback fake Bot API: an update whose reply is slow
 * (the fake holds sendMessage) is in flight when SIGTERM arrives — it completes (reply sent, state
 * saved, update marked processed), a webhook post arriving meanwhile gets 503 (Telegram delivers it
 * again later), readiness answers 503 from the signal on, and the process exits 0. And `npm start`
 * itself: SIGTERM to npm (what a supervisor or a terminal sends to the process it started) reaches
 * the product, which drains and exits 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { V8_FLAGS } from '../../src/v8-tuning.ts';
import { LOCK_FILE } from '../../src/db/lockfile.ts';
import { PROJECT_ROOT } from '../../src/db/migrations/paths.ts';
import { FakeTelegramApi } from '../../test-support/fakes/telegram-api.ts';
import { startCommand, userFor } from '../../test-support/fakes/telegram-updates.ts';
import { createEmptyPostgresDatabase } from '../../test-support/db.ts';

const SECRET = 'shutdown_secret';
/** What `npm start` runs. */
const PRODUCT_ARGS = [...V8_FLAGS, '--import', 'tsx', 'bots/main.ts'];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
  });
}

/** Starts `command` in the project with only `env` (and PATH, HOME), collecting its output; killed at the end if still running. */
function start(command: string, args: string[], env: Record<string, string>, cleanup: (() => Promise<unknown>)[]) {
  const output: string[] = [];
  const child = spawn(command, args, {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env['PATH'], HOME: process.env['HOME'], LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cleanup.push(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  child.stdout!.on('data', (d) => output.push(String(d)));
  child.stderr!.on('data', (d) => output.push(String(d)));
  return { child, output: () => output.join('') };
}

/** Starts the product on a fresh embedded database and waits until it runs. */
async function startEmbedded(command: string, args: string[], cleanup: (() => Promise<unknown>)[]) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'kq-sigterm-'));
  cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
  const started = start(command, args, { DATA_DIR: dataDir, PORT: String(await freePort()), SEED_DEMO: 'false' }, cleanup);
  await waitUntil(async () => started.output().includes('is running'), 90_000).catch(() => {
    throw new Error(`${command} ${args.join(' ')} did not start the product:\n${started.output()}`);
  });
  return { ...started, dataDir };
}

describe('SIGTERM', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c().catch(() => undefined);
  });

  it('finishes the update in flight, refuses new ones with 503, exits 0', { timeout: 120_000 }, async () => {
    const database = await createEmptyPostgresDatabase();
    cleanup.push(() => database.drop());
    const fake = await FakeTelegramApi.start();
    cleanup.push(() => fake.close());
    const port = await freePort();

    const { child, output } = start(
      process.execPath,
      PRODUCT_ARGS,
      {
        DATABASE_URL: database.url,
        PORT: String(port),
        TELEGRAM_BOT_TOKEN: fake.token,
        TELEGRAM_API_ROOT: fake.apiRoot,
        TELEGRAM_WEBHOOK_URL: `http://127.0.0.1:${port}`,
        TELEGRAM_WEBHOOK_SECRET: SECRET,
      },
      cleanup,
    );

    // Ready when the webhook is set.
    await fake
      .waitFor(() => fake.webhook !== null, 90_000)
      .catch(() => {
        throw new Error(`the process did not set its webhook:\n${output()}`);
      });
    expect(fake.webhook!.url).toBe(`http://127.0.0.1:${port}/webhooks/telegram`);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);

    const user = userFor(4_242_001, 'ru');
    fake.delayNext('sendMessage', 2_500);
    const slow = fake.deliver(startCommand(user));
    // The update is in flight once its reply is being sent (the fake holds it).
    await waitUntil(async () => (await inboxRows(database.url)).length === 1, 10_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.callsOf('sendMessage')).toHaveLength(0);

    child.kill('SIGTERM');
    // Draining: not ready, so a balancer sends nothing more here; an update that still arrives is refused.
    await waitUntil(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 503, 10_000);
    const readiness = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(await readiness.json()).toMatchObject({ status: 'not ready', draining: true, database: 'ok' });
    const refused = await fake.deliver(startCommand(userFor(4_242_002, 'ru')));
    expect(refused).toBe(503);

    expect(await slow).toBe(200);
    expect(await exited(child)).toBe(0);

    // The in-flight update was completed: reply sent, state saved, update marked processed.
    const sent = fake.callsOf('sendMessage');
    expect(sent.map((c) => c.params.chat_id)).toEqual([user.id]);
    expect(sent[0]!.response.ok).toBe(true);
    const rows = await inboxRows(database.url);
    expect(rows).toEqual([{ external_id: '1', processed: true }]);
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const states = await client.query(`SELECT "chatId" AS chat_id, version, state->>'screen' AS screen FROM conversation_states`);
      expect(states.rows).toEqual([{ chat_id: String(user.id), version: 1, screen: 'language' }]);
    } finally {
      await client.end();
    }
    expect(output()).toContain('shutting down');
  });

  it('closes the embedded database in its thread and releases its lock, exits 0', { timeout: 120_000 }, async () => {
    const { child, dataDir } = await startEmbedded(process.execPath, PRODUCT_ARGS, cleanup);
    expect(await readFile(path.join(dataDir, LOCK_FILE), 'utf8')).toBe(`${child.pid}\n`);

    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
    await expect(readFile(path.join(dataDir, LOCK_FILE))).rejects.toThrow();
  });

  it('npm start: SIGTERM to npm reaches the product, which drains and exits 0', { timeout: 120_000 }, async () => {
    const { child: npm, output, dataDir } = await startEmbedded('npm', ['start', '--silent'], cleanup);
    // The database lock names the product's process: npm's child, not npm.
    const productPid = Number((await readFile(path.join(dataDir, LOCK_FILE), 'utf8')).trim());
    expect(productPid).not.toBe(npm.pid);
    cleanup.push(async () => {
      if (alive(productPid)) process.kill(productPid, 'SIGKILL');
    });

    npm.kill('SIGTERM');
    expect(await exited(npm)).toBe(0);
    expect(output()).toContain('shutting down');
    // The product drained and exited itself, closing the database and releasing its lock.
    await waitUntil(async () => !alive(productPid), 10_000);
    await expect(readFile(path.join(dataDir, LOCK_FILE))).rejects.toThrow();
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function inboxRows(url: string): Promise<{ external_id: string; processed: boolean }[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const r = await client.query(`SELECT "externalId" AS external_id, "processedAt" IS NOT NULL AS processed FROM inbound_updates ORDER BY "externalId"`);
    return r.rows;
  } catch {
    return [];
  } finally {
    await client.end();
  }
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  await vi.waitFor(
    async () => {
      if (!(await check())) throw new Error('condition not reached in time');
    },
    { timeout: timeoutMs, interval: 50 },
  );
}
