/** `ops stats`: the season's statistics as CSV files and one HTML report in a folder. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Locale } from '../conversation/core/views.ts';
import { formatAlmaty } from '../domain/almaty-time.ts';
import type { Translator } from '../i18n/translator.ts';
import type { Db } from '../services/db.ts';
import { computeStats, type QuestionnaireStats, type StatsSeason } from './compute.ts';
import { writeStatsCsv } from './csv-export.ts';
import { htmlReport } from './html-report.ts';
import { reportLabels } from './labels.ts';

export const REPORT_FILE = 'report.html';

export interface ExportStatsOptions {
  season: StatsSeason;
  outDir: string;
  locale: Locale;
  translator: Translator;
  now: Date;
  onStep?: (done: number) => void;
}

export interface ExportStatsResult {
  stats: QuestionnaireStats;
  files: string[];
  /** Seconds spent in the database. */
  querySeconds: number;
}

export async function exportStats(db: Db, opts: ExportStatsOptions): Promise<ExportStatsResult> {
  const started = performance.now();
  const stats = await computeStats(db, opts.season, opts.onStep);
  const querySeconds = (performance.now() - started) / 1000;
  const labels = reportLabels(opts.translator, opts.locale);
  await mkdir(opts.outDir, { recursive: true });
  const nameOf = (k: { nameKk: string; nameRu: string }) => (opts.locale === 'kk' ? k.nameKk : k.nameRu);
  const files = await writeStatsCsv(opts.outDir, stats, labels, nameOf);
  const html = path.join(opts.outDir, REPORT_FILE);
  await writeFile(html, htmlReport({ stats, labels, locale: opts.locale, generatedAt: formatAlmaty(opts.now) }), 'utf8');
  return { stats, files: [...files, html], querySeconds };
}
