/**
 * Horizontal bar charts as inline SVG: the report must open offline, so no chart library, no
 * script. A row may hold several bars, each stacking one or more series (first/second/third
 * choices stacked, capacity as a second bar beside them).
 */
import { escapeHtml } from './html-escape.ts';

export interface ChartSeries {
  name: string;
  color: string;
}

export interface ChartRow {
  label: string;
  /** bars[b][k]: the value of series layout[b][k]. */
  bars: number[][];
}

export interface ChartSpec {
  /** For the SVG's accessible name. */
  title: string;
  series: ChartSeries[];
  /** The series each bar stacks, e.g. [[0, 1, 2], [3]]. */
  layout: number[][];
  rows: ChartRow[];
}

const WIDTH = 960;
const LABEL_WIDTH = 300;
const VALUE_WIDTH = 80;
const BAR_HEIGHT = 14;
const BAR_GAP = 3;
const ROW_GAP = 10;
const LEGEND_HEIGHT = 26;
const MAX_LABEL_CHARS = 38;

const clip = (s: string) => (s.length > MAX_LABEL_CHARS ? `${s.slice(0, MAX_LABEL_CHARS - 1)}…` : s);
const fmt = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0');

export function barChart(spec: ChartSpec): string {
  const barsPerRow = spec.layout.length;
  const rowHeight = barsPerRow * BAR_HEIGHT + (barsPerRow - 1) * BAR_GAP + ROW_GAP;
  const height = LEGEND_HEIGHT + Math.max(1, spec.rows.length) * rowHeight + 4;
  const max = Math.max(1, ...spec.rows.flatMap((r) => r.bars.map((b) => b.reduce((a, x) => a + x, 0))));
  const scale = (WIDTH - LABEL_WIDTH - VALUE_WIDTH) / max;
  const out: string[] = [];
  out.push(
    `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="${escapeHtml(spec.title)}">`,
  );
  let x = LABEL_WIDTH;
  spec.series.forEach((s) => {
    out.push(`<rect x="${x}" y="6" width="12" height="12" fill="${s.color}"/><text x="${x + 16}" y="16" class="legend">${escapeHtml(s.name)}</text>`);
    x += 24 + s.name.length * 7;
  });
  spec.rows.forEach((row, r) => {
    const top = LEGEND_HEIGHT + r * rowHeight;
    const mid = top + (rowHeight - ROW_GAP) / 2 + 4;
    out.push(
      `<text x="${LABEL_WIDTH - 8}" y="${mid}" text-anchor="end" class="label"><title>${escapeHtml(row.label)}</title>${escapeHtml(clip(row.label))}</text>`,
    );
    spec.layout.forEach((seriesOfBar, b) => {
      const y = top + b * (BAR_HEIGHT + BAR_GAP);
      let bx = LABEL_WIDTH;
      const values = row.bars[b] ?? [];
      seriesOfBar.forEach((seriesIndex, k) => {
        const v = values[k] ?? 0;
        const w = v * scale;
        if (w > 0) {
          out.push(
            `<rect class="bar" x="${bx.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${BAR_HEIGHT}" fill="${spec.series[seriesIndex]!.color}"><title>${escapeHtml(spec.series[seriesIndex]!.name)}: ${fmt(v)}</title></rect>`,
          );
        }
        bx += w;
      });
      const sum = values.reduce((a, v) => a + v, 0);
      out.push(`<text x="${(bx + 4).toFixed(1)}" y="${y + BAR_HEIGHT - 3}" class="value">${fmt(sum)}</text>`);
    });
  });
  out.push('</svg>');
  return out.join('');
}
