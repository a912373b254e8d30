/**
 * What the import engine needs to know about one kind of registry file: its columns, how a row is
 * validated, its natural key, how a valid row is staged, and how the staged rows are merged into
 * the registry with set-based statements.
 */
import type { ColumnSpec } from './columns.ts';
import type { CopyValue } from './staging/copy-text.ts';
import type { ImportSession } from './staging/session.ts';

export type ImportKindName = 'kindergartens' | 'parents' | 'applications';

export type RowResult<Row> = { ok: true; row: Row } | { ok: false; reasons: string[] };

export interface BatchRejection {
  line: number;
  key: string;
  reasons: string[];
}

/** A column of the staging table: its name and SQL type. */
export type StagingColumn = readonly [name: string, type: string];

/** What the runner learnt of the staged rows on their way in. */
export interface StagedFacts {
  /** Some rows share a key of the kind's `sharedKeyOf` (e.g. one child in two applications). */
  sharedKeysRepeat: boolean;
}

export interface MergeContext extends StagedFacts {
  /** The import's instant: when the notices of its registry events fall due. */
  now: Date;
  /** Changed rows from which the merge goes in bulk (bulk-load.ts). */
  bulkRows: number;
  /** Routes to a registry phone that are configured: a referral reaches a parent without a chat there. */
  reach: RegistryReach;
}

export interface RegistryReach {
  whatsapp: boolean;
  sms: boolean;
}

/** The routes of the campaign's reach settings (config/env.ts) that a referral may take. */
export const registryReach = (r: { whatsappOutreach: boolean; sms: boolean }): RegistryReach => ({ whatsapp: r.whatsappOutreach, sms: r.sms });

export interface MergeOutcome {
  /** Registry events recorded (applications only). */
  events: number;
  /** Outbox rows planned for them. */
  notices: number;
}

export interface ImportKind<Row, Context = unknown> {
  name: ImportKindName;
  columns: readonly ColumnSpec[];
  /** The column of the natural key: a second row with the same key in one file is rejected. */
  keyColumn: string;
  /**
   * Reads what validation needs from the database once (e.g. the kindergarten numbers): data
   * only, structured-cloneable, as each staging thread gets a copy.
   */
  prepare(s: ImportSession): Promise<Context>;
  parse(cells: Record<string, string>, context: Context): RowResult<Row>;
  /** The staging column of the natural key (the rows that repeat a key are read back from there). */
  stagingKey: string;
  /**
   * The row's natural key as a number — every kind's is one: a kindergarten number, a 12-digit
   * IIN, a queue number — so that repeats are found by sorting numbers, without the database.
   */
  keyOf(row: Row): number;
  /**
   * A key rows may share (the child's IIN: one child, several applications), as a number: the
   * merge is told whether any two staged rows do, and takes a shorter way when none does.
   */
  sharedKeyOf?(row: Row): number;
  /** The staging table's columns after `line int`, and a row's values for them. */
  staging: readonly StagingColumn[];
  stage(row: Row): CopyValue[];
  /** Staged rows the database refutes (e.g. an unknown parent), in line order. */
  refusals?(s: ImportSession, table: string, facts: StagedFacts): Promise<BatchRejection[]>;
  /** Upserts the staged rows (the refused ones already removed) into the registry. */
  merge(s: ImportSession, table: string, context: MergeContext): Promise<MergeOutcome>;
}

export const NO_EVENTS: MergeOutcome = { events: 0, notices: 0 };

/** zod issues as "column: reason". */
export function issueReasons(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string[] {
  return issues.map((i) => (i.path.length > 0 ? `${String(i.path[0])}: ${i.message}` : i.message));
}
