/**
 * What the import engine needs to know about one kind of registry file: its columns, how a row is
 * validated, its natural key, and how a batch of valid rows is upserted.
 */
import type { Db } from '../services/db.ts';
import type { ColumnSpec } from './columns.ts';

export type ImportKindName = 'kindergartens' | 'parents' | 'applications';

export type RowResult<Row> = { ok: true; row: Row } | { ok: false; reasons: string[] };

export interface Numbered<Row> {
  line: number;
  row: Row;
}

export interface BatchRejection {
  line: number;
  reasons: string[];
}

export interface ImportKind<Row, Context = unknown> {
  name: ImportKindName;
  columns: readonly ColumnSpec[];
  /** The column of the natural key: a second row with the same key in one file is rejected. */
  keyColumn: string;
  /** Reads what validation needs from the database once (e.g. the kindergarten numbers). */
  prepare(db: Db): Promise<Context>;
  parse(cells: Record<string, string>, context: Context): RowResult<Row>;
  key(row: Row): string | number;
  /**
   * Upserts the rows; returns those the database refutes (e.g. an unknown parent). With
   * `write` false only those checks run: the import is already failing and will roll back.
   */
  writeBatch(db: Db, rows: Numbered<Row>[], context: Context, write: boolean): Promise<BatchRejection[]>;
}

/** zod issues as "column: reason". */
export function issueReasons(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string[] {
  return issues.map((i) => (i.path.length > 0 ? `${String(i.path[0])}: ${i.message}` : i.message));
}
