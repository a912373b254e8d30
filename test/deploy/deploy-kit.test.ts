/**
 * The deploy kit (deploy/) against the product it deploys: promtool accepts the alert rules and
 * the scrape configuration, the rules' unit tests fire each alert on the series that should fire
 * it, every product metric the rules and the Grafana dashboard name exists in a real scrape, the
 * systemd unit starts node directly the way `npm start` does, and nginx forwards the product's
 * public paths and keeps its internal ones in.
 */
import { spawnSync } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEBHOOK_PATH as TELEGRAM_WEBHOOK } from '../../bots/telegram/webhook.ts';
import { WEBHOOK_PATH as WHATSAPP_WEBHOOK } from '../../bots/whatsapp/channel.ts';
import { assembleCore, type Core } from '../../src/app.ts';
import { loadConfig } from '../../src/config/env.ts';
import { CONSOLE_PREFIX } from '../../src/console/paths.ts';
import { PROJECT_ROOT } from '../../src/db/migrations/paths.ts';
import { SMS_PAGE_PATH } from '../../src/links/links.ts';
import { createLogger } from '../../src/log.ts';
import { createTestDatabase } from '../../test-support/db.ts';
import { hasPromtool, promtool } from '../metrics/scrape.ts';

const DEPLOY = path.join(PROJECT_ROOT, 'deploy');
const read = (file: string) => readFile(path.join(DEPLOY, file), 'utf8');

describe.runIf(hasPromtool())('Prometheus files (promtool)', () => {
  it('promtool check rules accepts the alert rules', () => {
    const r = promtool(['check', 'rules', path.join(DEPLOY, 'prometheus/alerts.yml')]);
    expect(r.output).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  it("the rules' unit tests pass: each alert fires when it should and not before", () => {
    const r = promtool(['test', 'rules', path.join(DEPLOY, 'prometheus/alerts.test.yml')]);
    expect(r.output).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  it('promtool check config accepts the scrape configuration with its rule file', async () => {
    // The token file the configuration names exists on the Prometheus host; here, a stand-in.
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kq-prom-'));
    try {
      const token = path.join(dir, 'token');
      await writeFile(token, 'a-metrics-token-0123456789\n');
      const config = (await read('prometheus/prometheus.yml')).replace('/etc/prometheus/kindergarten-queue.token', token);
      await writeFile(path.join(dir, 'prometheus.yml'), config);
      await copyFile(path.join(DEPLOY, 'prometheus/alerts.yml'), path.join(dir, 'alerts.yml'));
      const r = promtool(['check', 'config', path.join(dir, 'prometheus.yml')]);
      expect(r.output).toContain('SUCCESS: 6 rules found');
      expect(r.status).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('metric names in the rules and the dashboard', () => {
  let core: Core;
  let exposed: Set<string>;
  beforeAll(async () => {
    const db = await createTestDatabase('embedded');
    core = await assembleCore(db, loadConfig({ SEED_DEMO: 'false', LOG_LEVEL: 'silent' }), { seedDemo: false, logger: createLogger('silent') });
    exposed = new Set();
    for (const m of (await core.metrics.text()).matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
      exposed.add(m[1]!);
      if (m[2] === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) exposed.add(m[1]! + suffix);
    }
  });
  afterAll(() => core?.close());

  const named = (text: string) => new Set([...text.matchAll(/\b((?:kq|nodejs|process)_[a-z0-9_]*[a-z0-9])\b/g)].map((m) => m[1]!));

  it('every metric the alert rules use is exposed', async () => {
    const used = named(await read('prometheus/alerts.yml'));
    expect(used.size).toBeGreaterThanOrEqual(10);
    expect([...used].filter((n) => !exposed.has(n))).toEqual([]);
  });

  it('every metric the dashboard uses is exposed', async () => {
    const dashboard = JSON.parse(await read('grafana/kindergarten-queue.json')) as { panels: { targets: { expr: string }[] }[] };
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)).join('\n');
    const used = named(exprs);
    expect(used.size).toBeGreaterThanOrEqual(15);
    expect([...used].filter((n) => !exposed.has(n))).toEqual([]);
  });
});

const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version'], { stdio: 'ignore' }).status === 0;

describe('systemd and nginx', () => {
  it.runIf(hasSystemdAnalyze)('systemd-analyze verify finds nothing wrong in the units', async () => {
    // The units name the installed paths; here the backup script is where the repository has it.
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kq-units-'));
    try {
      const units = ['systemd/kindergarten-queue.service', 'postgres/kindergarten-queue-backup.service', 'postgres/kindergarten-queue-backup.timer'];
      for (const unit of units) {
        const text = (await read(unit)).replace('/opt/kindergarten-queue/deploy/', `${DEPLOY}/`);
        await writeFile(path.join(dir, path.basename(unit)), text);
      }
      const r = spawnSync('systemd-analyze', ['verify', ...units.map((u) => path.join(dir, path.basename(u)))], { encoding: 'utf8' });
      expect(`${r.stdout}${r.stderr}`).toBe('');
      expect(r.status).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('the unit runs node directly with what npm start runs, never npm', async () => {
    const unit = await read('systemd/kindergarten-queue.service');
    const pkg = JSON.parse(await readFile(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const start = pkg.scripts['start']!;
    expect(start).toMatch(/^exec node /);
    expect(unit).toContain(`ExecStart=/usr/bin/${start.replace(/^exec /, '')}`);
    expect(unit).not.toMatch(/^ExecStart=.*npm/m);
    expect(unit).toMatch(/^KillSignal=SIGTERM$/m);
  });

  it('nginx forwards the webhooks, the SMS pages and the console, and keeps health and metrics in', async () => {
    const conf = await read('nginx/kindergarten-queue.conf');
    for (const p of [TELEGRAM_WEBHOOK, WHATSAPP_WEBHOOK]) expect(conf).toMatch(new RegExp(`location = ${p} \\{[^}]*proxy_pass`));
    expect(conf).toMatch(new RegExp(`location ${SMS_PAGE_PATH} \\{[^}]*proxy_pass`));
    expect(conf).toMatch(new RegExp(`location ${CONSOLE_PREFIX} \\{[^}]*proxy_pass`));
    for (const p of ['/metrics', '/healthz', '/readyz']) expect(conf).toContain(`location = ${p} { deny all; }`);
  });
});
