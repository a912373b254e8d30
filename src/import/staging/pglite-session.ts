/**
 * An import on PGlite running on this thread: `COPY … FROM '/dev/blob'` takes a whole Blob, so the
 * rows go in slices of a few megabytes, each its own COPY, all in the import's transaction.
 */
import type { PGlite, Transaction } from '@electric-sql/pglite';
import type { ImportConnection, ImportSession } from './session.ts';

const SLICE_CHARS = 8 << 20;

function session(tx: Transaction): ImportSession {
  return {
    async query<T>(sql: string, params?: unknown[]) {
      return (await tx.query<T>(sql, params)).rows;
    },
    async copyIn(table, columns, chunks) {
      const copy = `COPY ${table} (${columns.join(', ')}) FROM '/dev/blob'`;
      let slice: string[] = [];
      let size = 0;
      const flush = async () => {
        if (size === 0) return;
        await tx.query(copy, [], { blob: new Blob(slice) });
        slice = [];
        size = 0;
      };
      for await (const chunk of chunks) {
        slice.push(chunk);
        size += chunk.length;
        if (size >= SLICE_CHARS) await flush();
      }
      await flush();
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
