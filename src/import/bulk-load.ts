/**
 * A merge that writes a large share of the registry (the first import of a region, a re-import
 * after years) neither checks each row's foreign keys one index lookup at a time nor keeps the
 * indexes up to date row by row: the tables' foreign keys, and every index no other table's
 * foreign key needs, are dropped for the merge and added back after it — each foreign key then
 * validated by one set-based join, each index built by one sort. All inside the import's
 * transaction: a crash or a refused key rolls the whole import back, constraints included. The
 * price is that the tables are locked for the merge's seconds (ALTER TABLE), which is why an
 * ordinary nightly import (a few thousand changes) takes the row-by-row way.
 */
import type { ImportSession } from './staging/session.ts';

/** Changed rows from which the merge goes in bulk. */
export const BULK_ROWS = 50_000;

interface Dropped {
  tbl: string;
  name: string;
  def: string;
  /** A table constraint (primary key, unique, foreign key) rather than a bare index. */
  constraint: boolean;
}

export async function inBulk<T>(s: ImportSession, tables: readonly string[], fn: () => Promise<T>): Promise<T> {
  const foreignKeys = await s.query<Dropped>(
    `SELECT conrelid::regclass::text AS tbl, conname AS name, pg_get_constraintdef(oid) AS def, true AS constraint
     FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY($1::text[]::regclass[]) ORDER BY conname`,
    [tables],
  );
  // Indexes a foreign key of a table outside the set rests on (the applications' primary key) stay.
  const indexes = await s.query<Dropped>(
    `SELECT i.indrelid::regclass::text AS tbl, COALESCE(c.conname, i.indexrelid::regclass::text) AS name,
            COALESCE(pg_get_constraintdef(c.oid), pg_get_indexdef(i.indexrelid)) AS def, c.oid IS NOT NULL AS constraint
     FROM pg_index i LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.contype IN ('p', 'u')
     WHERE i.indrelid = ANY($1::text[]::regclass[])
       AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = i.indexrelid
                         AND f.conrelid <> ALL($1::text[]::regclass[]))
     ORDER BY 1, 2`,
    [tables],
  );
  for (const fk of foreignKeys) await s.query(`ALTER TABLE ${fk.tbl} DROP CONSTRAINT "${fk.name}"`);
  for (const ix of indexes) await s.query(ix.constraint ? `ALTER TABLE ${ix.tbl} DROP CONSTRAINT "${ix.name}"` : `DROP INDEX ${ix.name}`);
  const out = await fn();
  await s.query(`SET LOCAL maintenance_work_mem = '512MB'`);
  for (const ix of indexes) await s.query(ix.constraint ? `ALTER TABLE ${ix.tbl} ADD CONSTRAINT "${ix.name}" ${ix.def}` : ix.def);
  for (const fk of foreignKeys) await s.query(`ALTER TABLE ${fk.tbl} ADD CONSTRAINT "${fk.name}" ${fk.def}`);
  return out;
}
