/**
 * The HTML report in a real browser: Debian's headless Chromium loads it from disk (offline, no
 * network needed), nothing is logged to the console, the SVG charts are in the rendered DOM with
 * their bars, and the screenshot is a real picture. Skips when chromium is not installed (CI
 * installs it in .ci/run).
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTranslator } from '../../src/i18n/translator.ts';
import { exportStats } from '../../src/stats/export.ts';
import { createTestDatabase, type TestDatabase } from '../../test-support/db.ts';
import { seedStatsFixture } from './fixture.ts';
import { findChromium } from '../../test-support/chromium.ts';

const chromium = findChromium();
if (!chromium) console.warn('report-chromium.test: chromium not found — skipped (apt-get install -y chromium)');

describe.skipIf(!chromium)('the HTML report in headless Chromium', () => {
  let dir: string;
  let db: TestDatabase;
  let report: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kq-report-'));
    db = await createTestDatabase('embedded');
    const { season } = await seedStatsFixture(db.prisma);
    const translator = await createTranslator({ portal: 'https://egov.kz', supportPhone: '1414' });
    const r = await exportStats(db.prisma, { season, outDir: dir, locale: 'ru', translator, now: new Date('2026-10-01T06:00:00Z') });
    report = r.files.find((f) => f.endsWith('report.html'))!;
  }, 60_000);

  afterAll(async () => {
    await db?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const run = (extra: string[]) => {
    const profile = path.join(dir, `profile-${Math.random().toString(36).slice(2)}`);
    const r = spawnSync(
      chromium!,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--enable-logging=stderr',
        '--v=0',
        `--user-data-dir=${profile}`,
        ...extra,
        pathToFileURL(report).href,
      ],
      { encoding: 'utf8', timeout: 90_000, maxBuffer: 64 << 20 },
    );
    if (r.error) throw r.error;
    return r;
  };

  it('renders the charts without console errors', () => {
    const r = run(['--dump-dom']);
    expect(r.status).toBe(0);
    const dom = r.stdout;
    expect(dom).toContain('<h1>Анкеты продления заявлений: кампания 2026</h1>');
    expect(dom.match(/<svg class="chart"/g)?.length).toBe(8);
    // One rect per non-zero value: districts 3 + 3, kindergartens 3 + 3 + 3 (first/second/third
    // stacked, capacity beside), ownership 3, language 2, payment 3, sections 3, digital 3.
    expect(dom.match(/<rect class="bar"/g)?.length).toBe(6 + 9 + 14);
    expect(dom).toContain('Район: Бостандыкский');
    const consoleLines = r.stderr.split('\n').filter((l) => /CONSOLE|Uncaught|ERR_FILE|Failed to load/.test(l));
    expect(consoleLines).toEqual([]);
  }, 120_000);

  it('takes a non-trivial screenshot', async () => {
    const png = path.join(dir, 'report.png');
    const r = run([`--screenshot=${png}`, '--window-size=1100,1600', '--hide-scrollbars']);
    expect(r.status).toBe(0);
    const bytes = await readFile(png);
    expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(bytes.readUInt32BE(16)).toBe(1100); // IHDR width
    expect((await stat(png)).size).toBeGreaterThan(30_000);
  }, 120_000);
});
