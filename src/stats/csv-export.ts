/**
 * The statistics as CSV files for spreadsheet programs: `;`-separated with a UTF-8 BOM (what
 * Excel in a Russian locale opens directly), stable English column names, a label column in the
 * report's language next to every id.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { QuestionnaireStats } from './compute.ts';
import type { ReportLabels } from './labels.ts';

type Cell = string | number | null;

function csv(header: string[], rows: Cell[][]): string {
  const cell = (c: Cell) => {
    const s = c === null ? '' : String(c);
    return /[";\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return `\ufeff${[header, ...rows].map((r) => r.map(cell).join(';')).join('\r\n')}\r\n`;
}

/** A share of the questionnaires, in percent with one decimal. */
export const share = (count: number, total: number): number => (total === 0 ? 0 : Math.round((count / total) * 1000) / 10);

export const STATS_CSV_FILES = [
  'summary.csv',
  'demand-by-kindergarten.csv',
  'demand-by-district.csv',
  'ownership.csv',
  'language.csv',
  'payment.csv',
  'sections.csv',
  'digital.csv',
  'other-texts.csv',
] as const;

export type StatsCsvName = (typeof STATS_CSV_FILES)[number];

/** Each CSV file's content (the console serves them one by one, the CLI writes them all). */
export function statsCsvFiles(
  stats: QuestionnaireStats,
  labels: ReportLabels,
  nameOf: (k: { nameKk: string; nameRu: string }) => string,
): Record<StatsCsvName, string> {
  const total = stats.questionnaires;
  return {
    'summary.csv': csv(['season', 'questionnaires', 'payment_median'], [[stats.season.code, total, stats.paymentMedian]]),
    'demand-by-kindergarten.csv': csv(
      ['number', 'name', 'district', 'ownership', 'capacity', 'first', 'second', 'third', 'total_choices', 'active_applications'],
      stats.kindergartens.map((k) => [k.number, nameOf(k), k.district, k.ownership, k.capacity, k.first, k.second, k.third, k.total, k.applications]),
    ),
    'demand-by-district.csv': csv(
      ['district', 'kindergartens', 'capacity', 'first', 'second', 'third', 'total_choices', 'active_applications'],
      stats.districts.map((d) => [d.district, d.kindergartens, d.capacity, d.first, d.second, d.third, d.total, d.applications]),
    ),
    'ownership.csv': csv(
      ['preference', 'preference_label', 'reason', 'reason_label', 'count', 'share_percent'],
      stats.ownership.map((o) => [o.preference, labels.ownership(o.preference), o.reason, labels.reason(o.reason), o.count, share(o.count, total)]),
    ),
    'language.csv': csv(
      ['language', 'label', 'count', 'share_percent'],
      stats.language.map((l) => [l.value, labels.language(l.value), l.count, share(l.count, total)]),
    ),
    'payment.csv': csv(
      ['max_payment', 'label', 'count', 'share_percent'],
      stats.payment.map((p) => [p.value, labels.payment(p.value), p.count, share(p.count, total)]),
    ),
    'sections.csv': csv(
      ['section', 'label', 'count', 'share_percent'],
      stats.sections.map((s) => [s.value, labels.section(s.value), s.count, share(s.count, total)]),
    ),
    'digital.csv': csv(
      ['service', 'label', 'count', 'share_percent'],
      stats.digital.map((s) => [s.value, labels.digital(s.value), s.count, share(s.count, total)]),
    ),
    'other-texts.csv': csv(
      ['question', 'text', 'count'],
      stats.otherTexts.map((o) => [o.question, o.text, o.count]),
    ),
  };
}

export async function writeStatsCsv(
  dir: string,
  stats: QuestionnaireStats,
  labels: ReportLabels,
  nameOf: (k: { nameKk: string; nameRu: string }) => string,
): Promise<string[]> {
  const written: string[] = [];
  for (const [name, content] of Object.entries(statsCsvFiles(stats, labels, nameOf))) {
    const file = path.join(dir, name);
    await writeFile(file, content, 'utf8');
    written.push(file);
  }
  return written;
}
