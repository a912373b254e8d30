/**
 * ONE self-contained HTML file: inline CSS and SVG only — no script, no external font or image —
 * so it opens offline, can be mailed, and prints.
 */
import { formatAmount } from '../i18n/format.ts';
import type { Locale } from '../conversation/core/views.ts';
import { share } from './csv-export.ts';
import type { Count, KindergartenDemandRow, QuestionnaireStats } from './compute.ts';
import { escapeHtml as e } from './html-escape.ts';
import type { ReportLabels } from './labels.ts';
import { barChart } from './svg-chart.ts';

const COLORS = { first: '#1f5fa8', second: '#4f8fd6', third: '#a8c8ee', capacity: '#9aa3ad', count: '#2e7d5b' };

const CSS = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:24px;color:#1d2733;max-width:1000px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #d5dbe1;padding-bottom:4px}h3{font-size:15px}
table{border-collapse:collapse;margin:8px 0 16px;font-size:13px}th,td{border:1px solid #d5dbe1;padding:3px 8px;text-align:left}
td.n,th.n{text-align:right}.chart{display:block;max-width:100%;height:auto}.chart text{font-size:12px;fill:#1d2733}
.chart .value{fill:#4a5561}.muted{color:#5b6672}`;

function table(header: string[], rows: (string | number)[][], numeric: boolean[]): string {
  const cls = (i: number) => (numeric[i] ? ' class="n"' : '');
  return `<table><thead><tr>${header.map((h, i) => `<th${cls(i)}>${e(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c, i) => `<td${cls(i)}>${e(typeof c === 'number' ? formatAmount(c) : c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function countSection(title: string, items: Count<string | number>[], label: (v: never) => string, labels: ReportLabels, total: number, extra = ''): string {
  if (items.length === 0) return `<h2>${e(title)}</h2><p class="muted">${e(labels.t('report.noData'))}</p>`;
  const rows = items.map((i) => ({ label: label(i.value as never), count: i.count }));
  return `<section><h2>${e(title)}</h2>${extra}${barChart({
    title,
    series: [{ name: labels.t('report.count'), color: COLORS.count }],
    layout: [[0]],
    rows: rows.map((r) => ({ label: r.label, bars: [[r.count]] })),
  })}${table(
    ['', labels.t('report.count'), labels.t('report.share')],
    rows.map((r) => [r.label, r.count, `${share(r.count, total)} %`]),
    [false, true, true],
  )}</section>`;
}

function demandChart(title: string, rows: KindergartenDemandRow[], labels: ReportLabels, nameOf: (k: KindergartenDemandRow) => string): string {
  return barChart({
    title,
    series: [
      { name: labels.t('report.demand.first'), color: COLORS.first },
      { name: labels.t('report.demand.second'), color: COLORS.second },
      { name: labels.t('report.demand.third'), color: COLORS.third },
      { name: labels.t('report.demand.capacity'), color: COLORS.capacity },
    ],
    layout: [[0, 1, 2], [3]],
    rows: rows.map((k) => ({ label: labels.kindergarten(k.number, nameOf(k)), bars: [[k.first, k.second, k.third], [k.capacity]] })),
  });
}

export interface HtmlReportInput {
  stats: QuestionnaireStats;
  labels: ReportLabels;
  locale: Locale;
  generatedAt: string;
}

/** The report's sections (headings, SVG charts, tables; every text escaped), without the page around them. */
export function reportSections({ stats, labels, locale, generatedAt }: HtmlReportInput): string {
  const t = labels.t;
  const total = stats.questionnaires;
  const nameOf = (k: { nameKk: string; nameRu: string }) => (locale === 'kk' ? k.nameKk : k.nameRu);
  const parts: string[] = [];
  parts.push(`<h1>${e(t('report.title', { season: stats.season.code }))}</h1>`);
  parts.push(`<p class="muted">${e(t('report.generated', { at: generatedAt, count: formatAmount(total) }))}</p>`);

  // Demand: the district summary, then one demand-vs-capacity chart per district.
  parts.push(`<section><h2>${e(t('report.demand.title'))}</h2><p class="muted">${e(t('report.demand.intro'))}</p>`);
  parts.push(`<h3>${e(t('report.demand.byDistrict'))}</h3>`);
  parts.push(
    barChart({
      title: t('report.demand.byDistrict'),
      series: [
        { name: t('report.demand.first'), color: COLORS.first },
        { name: t('report.demand.second'), color: COLORS.second },
        { name: t('report.demand.third'), color: COLORS.third },
        { name: t('report.demand.capacity'), color: COLORS.capacity },
      ],
      layout: [[0, 1, 2], [3]],
      rows: stats.districts.map((d) => ({ label: d.district, bars: [[d.first, d.second, d.third], [d.capacity]] })),
    }),
  );
  parts.push(
    table(
      [
        t('report.demand.district', { district: '' }).replace(/[:\s]+$/, ''),
        t('report.demand.kindergartens'),
        t('report.demand.capacity'),
        t('report.demand.first'),
        t('report.demand.second'),
        t('report.demand.third'),
        t('report.demand.applications'),
      ],
      stats.districts.map((d) => [d.district, d.kindergartens, d.capacity, d.first, d.second, d.third, d.applications]),
      [false, true, true, true, true, true, true],
    ),
  );
  for (const d of stats.districts) {
    const rows = stats.kindergartens.filter((k) => k.district === d.district);
    const title = t('report.demand.district', { district: d.district });
    parts.push(`<h3>${e(title)}</h3>${demandChart(title, rows, labels, nameOf)}`);
    parts.push(
      table(
        [
          t('report.demand.number'),
          t('report.demand.kindergarten'),
          t('report.demand.capacity'),
          t('report.demand.first'),
          t('report.demand.second'),
          t('report.demand.third'),
          t('report.demand.ratio'),
          t('report.demand.applications'),
        ],
        rows.map((k) => [
          k.number,
          nameOf(k),
          k.capacity,
          k.first,
          k.second,
          k.third,
          k.capacity > 0 ? (k.first / k.capacity).toFixed(2) : '—',
          k.applications,
        ]),
        [true, false, true, true, true, true, true, true],
      ),
    );
  }
  parts.push('</section>');

  const ownershipRows = stats.ownership.map((o) => ({ value: `${labels.ownership(o.preference)} — ${labels.reason(o.reason)}`, count: o.count }));
  parts.push(countSection(t('report.ownership.title'), ownershipRows, (v: string) => v, labels, total));
  parts.push(countSection(t('report.language.title'), stats.language, (v: string) => labels.language(v), labels, total));
  const median = stats.paymentMedian === null ? t('report.payment.noMedian') : t('report.payment.median', { amount: labels.payment(stats.paymentMedian) });
  parts.push(countSection(t('report.payment.title'), stats.payment, (v: number) => labels.payment(v), labels, total, `<p><strong>${e(median)}</strong></p>`));
  parts.push(countSection(t('report.sections.title'), stats.sections, (v: string) => labels.section(v), labels, total));
  parts.push(countSection(t('report.digital.title'), stats.digital, (v: string) => labels.digital(v), labels, total));

  parts.push(`<section><h2>${e(t('report.other.title'))}</h2>`);
  if (stats.otherTexts.length === 0) parts.push(`<p class="muted">${e(t('report.noData'))}</p>`);
  else
    parts.push(
      table(
        [t('report.other.question'), t('report.other.text'), t('report.count')],
        stats.otherTexts.map((o) => [o.question === 'sections' ? t('report.sections.title') : t('report.digital.title'), o.text, o.count]),
        [false, false, true],
      ),
    );
  parts.push('</section>');
  return parts.join('\n');
}

export function htmlReport(input: HtmlReportInput): string {
  const t = input.labels.t;
  return `<!doctype html>
<html lang="${input.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(t('report.title', { season: input.stats.season.code }))}</title>
<style>${CSS}</style>
</head>
<body>
${reportSections(input)}
</body>
</html>
`;
}
