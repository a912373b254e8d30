import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTranslator, type Translator } from '../../src/i18n/translator.ts';
import { computeStats } from '../../src/stats/compute.ts';
import { demandByKindergarten } from '../../src/services/demand.ts';
import { exportStats } from '../../src/stats/export.ts';
import { demandFor } from '../../src/services/kindergartens.ts';
import { TEST_DB_KINDS } from '../../test-support/db.ts';
import { useDatabase } from '../services/use-database.ts';
import { seedStatsFixture } from './fixture.ts';

let translator: Translator;
let out: string;
beforeAll(async () => {
  translator = await createTranslator({ portal: 'https://egov.kz', supportPhone: '1414' });
  out = await mkdtemp(path.join(os.tmpdir(), 'kq-stats-'));
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

describe.each(TEST_DB_KINDS)('questionnaire statistics (%s)', (kind) => {
  const prisma = useDatabase(kind);

  it('computes every figure of the hand-made season', async () => {
    const { season } = await seedStatsFixture(prisma());
    const s = await computeStats(prisma(), { id: season.id, code: season.code });
    expect(s.questionnaires).toBe(4);
    expect(s.kindergartens.map((k) => [k.number, k.district, k.capacity, k.first, k.second, k.third, k.total, k.applications])).toEqual([
      [1, 'Алмалинский', 10, 2, 2, 0, 4, 1],
      [2, 'Алмалинский', 5, 1, 1, 0, 2, 0],
      [3, 'Бостандыкский', 8, 1, 0, 1, 2, 1],
    ]);
    expect(s.districts).toEqual([
      { district: 'Алмалинский', kindergartens: 2, capacity: 15, applications: 1, first: 3, second: 3, third: 0, total: 6 },
      { district: 'Бостандыкский', kindergartens: 1, capacity: 8, applications: 1, first: 1, second: 0, third: 1, total: 2 },
    ]);
    expect(s.ownership).toEqual([
      { preference: 'ANY', reason: null, count: 1 },
      { preference: 'PRIVATE', reason: 'QUALITY', count: 1 },
      { preference: 'STATE', reason: 'COST', count: 2 },
    ]);
    expect(s.language).toEqual([
      { value: 'KK', count: 3 },
      { value: 'RU', count: 1 },
    ]);
    expect(s.payment).toEqual([
      { value: 15_000, count: 1 },
      { value: 25_000, count: 1 },
      { value: 50_000, count: 2 },
    ]);
    expect(s.paymentMedian).toBe(25_000);
    expect(s.sections).toEqual([
      { value: 'chess', count: 3 },
      { value: 'other', count: 2 },
      { value: 'football', count: 1 },
    ]);
    expect(s.digital).toEqual([
      { value: 'invoices', count: 2 },
      { value: 'other', count: 2 },
      { value: 'cashless', count: 1 },
    ]);
    expect(s.otherTexts).toEqual([
      { question: 'sections', text: 'домбыра', count: 2 },
      { question: 'digital', text: 'telegram бот', count: 1 },
      { question: 'digital', text: 'телеграм бот', count: 1 },
    ]);
  });

  it('an empty season has zeros and no median', async () => {
    const { other, season } = await seedStatsFixture(prisma());
    await prisma().questionnaire.deleteMany({ where: { seasonId: season.id } });
    const s = await computeStats(prisma(), { id: season.id, code: season.code });
    expect(s.questionnaires).toBe(0);
    expect(s.paymentMedian).toBeNull();
    expect(s.kindergartens.every((k) => k.total === 0)).toBe(true);
    expect((await computeStats(prisma(), { id: other.id, code: other.code })).paymentMedian).toBe(110_000);
  });

  it('the picker shows the same demand figure as the statistics', async () => {
    const { a, b, c } = await seedStatsFixture(prisma());
    const picker = await demandFor(prisma(), [a.id, b.id, c.id]);
    const stats = await demandByKindergarten(prisma(), { kind: 'applications' });
    expect([...picker].sort()).toEqual([
      [a.id, 1],
      [c.id, 1],
    ]);
    expect(stats.get(a.id)).toEqual({ first: 1, second: 0, third: 0, total: 1 });
    expect(stats.get(c.id)).toEqual({ first: 0, second: 1, third: 0, total: 1 });
  });

  it('writes the CSV files and a localized HTML report', async () => {
    const { season } = await seedStatsFixture(prisma());
    const dir = path.join(out, kind);
    const r = await exportStats(prisma(), { season, outDir: dir, locale: 'kk', translator, now: new Date('2026-10-01T06:00:00Z') });
    expect(r.files.map((f) => path.basename(f))).toContain('report.html');
    const demand = await readFile(path.join(dir, 'demand-by-kindergarten.csv'), 'utf8');
    expect(demand.split('\r\n')[0]).toBe('\ufeffnumber;name;district;ownership;capacity;first;second;third;total_choices;active_applications');
    expect(demand.split('\r\n')[1]).toBe('1;Айгөлек;Алмалинский;STATE;10;2;2;0;4;1');
    expect(await readFile(path.join(dir, 'summary.csv'), 'utf8')).toBe('\ufeffseason;questionnaires;payment_median\r\n2026;4;25000\r\n');
    const sections = await readFile(path.join(dir, 'sections.csv'), 'utf8');
    expect(sections).toContain('chess;Шахмат;3;75');
    const html = await readFile(path.join(dir, 'report.html'), 'utf8');
    expect(html).toContain('<html lang="kk">');
    // "кезең", not "маусым" (which also means June).
    expect(html).toContain('2026 ұзарту кезеңі');
    expect(html).not.toContain('маусым');
    expect(html).toContain('Аудан: Алмалинский');
    expect(html).not.toMatch(/<script|<link|@import|url\(/);
    expect(html.match(/<svg /g)?.length).toBe(1 + 2 + 5); // all districts, one per district, five count charts
  });
});
