/**
 * What every service takes: the Prisma client or a transaction client, so a caller can run a
 * service inside its own transaction.
 */
import type { Prisma } from '../generated/prisma/client.ts';

export type Db = Prisma.TransactionClient;

/** Generous limits: the embedded database runs transactions one at a time, so a second one waits. */
export const TRANSACTION_OPTIONS = { maxWait: 15_000, timeout: 30_000 } as const;

/** A transaction client lacks the connection methods the full client has. */
export function isTransactionClient(db: Db): boolean {
  return typeof (db as { $disconnect?: unknown }).$disconnect !== 'function';
}

/**
 * Runs `fn` atomically: in a new transaction, or inside the caller's when `db` already is one.
 * Never nested: the PGlite adapter has no savepoints, and with Prisma 7.10 on PostgreSQL a rolled
 * back outer transaction around a nested one left the client refusing later transactions.
 */
export function inTransaction<T>(db: Db, fn: (tx: Db) => Promise<T>): Promise<T> {
  return isTransactionClient(db) ? fn(db) : db.$transaction(fn, TRANSACTION_OPTIONS);
}
