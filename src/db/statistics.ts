/**
 * Fresh planner statistics after a bulk write. A planning tick can add a hundred thousand outbox
 * rows at once; until autovacuum's analyze catches up (minutes later, or never on the embedded
 * database) PostgreSQL plans the claim's per-row probes from the old row counts and picks an index
 * that walks the whole season per row: a 50-row batch took seconds instead of a millisecond. One
 * ANALYZE (a sample, ~100 ms at 500 000 rows) after such a write keeps the plans right.
 */
import type { Db } from '../services/db.ts';

/** Rows written in one go from which the statistics are refreshed at once. */
export const BULK_WRITE_ROWS = 1000;

/** ANALYZE the outbox when `written` rows is a bulk write; returns whether it ran. */
export async function refreshOutboxStatistics(db: Db, written: number): Promise<boolean> {
  if (written < BULK_WRITE_ROWS) return false;
  await db.$executeRawUnsafe('ANALYZE outbox');
  return true;
}
