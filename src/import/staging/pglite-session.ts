/**
 * An import on PGlite running on this thread: `COPY … FROM '/dev/blob'` takes a whole Blob, so the
 * rows go in slices of a few megabytes (./slices.ts), each its own COPY, all in the import's
 * transaction.
 */
import type { PGlite, Transaction } from '@electric-sql/pglite';
import type { ImportConnection, ImportSession } from './session.ts';
import { slices } from './slices.ts';

function session(tx: Transaction): ImportSession {
  return {
    async query<T>(sql: string, params?: unknown[]) {
      return (await tx.query<T>(sql, params)).rows;
    },
    async copyIn(table, columns, chunks) {
      const copy = `COPY ${table} (${columns.join(', ')}) FROM '/dev/blob'`;
      for await (const slice of slices(chunks)) await tx.query(copy, [], { blob: new Blob(slice) });
    },
  };
}

export function pgliteImportConnection(pglite: PGlite): ImportConnection {
  return {
    method: 'copy',
    transaction: (fn) => pglite.transaction((tx) => fn(session(tx))),
    close: async () => undefined,
  };
}
