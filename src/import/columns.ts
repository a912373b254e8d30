/**
 * The documented columns of a registry file and how a header row maps onto them. Headers are
 * matched case-insensitively, in English or Russian; extra columns are ignored (and named).
 */
import { normalizeWord } from './fields.ts';

export interface ColumnSpec {
  key: string;
  /** Accepted header spellings besides the key itself. */
  aliases: readonly string[];
  required: boolean;
  ru: string;
  en: string;
  example: string;
}

export type HeaderMap = { ok: true; index: Map<string, number>; ignored: string[] } | { ok: false; missing: string[]; duplicated: string[] };

const headerWord = (s: string) => normalizeWord(s).replace(/[\s-]+/g, '_');

export function mapHeader(header: string[], columns: readonly ColumnSpec[]): HeaderMap {
  const byName = new Map<string, string>();
  for (const c of columns) for (const n of [c.key, ...c.aliases]) byName.set(headerWord(n), c.key);
  const index = new Map<string, number>();
  const ignored: string[] = [];
  const duplicated: string[] = [];
  header.forEach((h, i) => {
    const key = byName.get(headerWord(h));
    if (key === undefined) {
      if (h.trim() !== '') ignored.push(h.trim());
    } else if (index.has(key)) duplicated.push(h.trim());
    else index.set(key, i);
  });
  const missing = columns.filter((c) => c.required && !index.has(c.key)).map((c) => c.key);
  if (missing.length > 0 || duplicated.length > 0) return { ok: false, missing, duplicated };
  return { ok: true, index, ignored };
}

/** Where each column's cell is in a record: its key and field index, -1 for an absent optional column. */
export type ColumnSlots = readonly (readonly [key: string, field: number])[];

export const columnSlots = (index: Map<string, number>, columns: readonly ColumnSpec[]): ColumnSlots =>
  columns.map((c) => [c.key, index.get(c.key) ?? -1] as const);

/** The cells of a record by column key; absent optional columns read as empty. */
export function cellsOf(fields: string[], slots: ColumnSlots): Record<string, string> {
  const cells: Record<string, string> = {};
  for (const [key, i] of slots) cells[key] = i < 0 ? '' : (fields[i] ?? '').trim();
  return cells;
}
