/**
 * An import on the embedded database in its own thread (src/db/pglite-thread/), as on PGlite here
 * (./pglite-session.ts): the statements, and the rows with `COPY … FROM '/dev/blob'` slice by slice,
 * in one transaction of the thread's. PGlite runs one transaction at a time, so no other caller's
 * statement lands between the import's: they wait until it ends. Each slice crosses as UTF-8 bytes
 * whose buffer is moved, not copied, and the next slice is read from the file while the thread
 * loads the one before.
 */
import { concatBytes } from '../../bytes.ts';
import type { PGliteThread } from '../../db/pglite-thread/thread.ts';
import type { ImportConnection, ImportSession } from './session.ts';
import { slices } from './slices.ts';

/** Smaller than on one thread: the file is read on here while the thread loads, so more slices overlap more. */
const SLICE_BYTES = 2 << 20;

function session(thread: PGliteThread, tx: number): ImportSession {
  return {
    async query<T>(text: string, params: unknown[] = []) {
      return (await thread.call({ op: 'sql', tx, text, params })) as T[];
    },
    async copyIn(table, columns, chunks) {
      let loading: Promise<unknown> = Promise.resolve();
      try {
        for await (const slice of slices(chunks, SLICE_BYTES)) {
          await loading;
          const data = concatBytes(slice);
          loading = thread.call({ op: 'copy', tx, table, columns, data }, [data.buffer as ArrayBuffer]);
          // Awaited before the next slice goes; a failure while the file is read on is not unhandled.
          loading.catch(() => undefined);
        }
      } catch (e) {
        // The file failed (or a slice did): the slice in flight ends before the transaction does.
        await loading.catch(() => undefined);
        throw e;
      }
      await loading;
    },
  };
}

export function threadImportConnection(thread: PGliteThread): ImportConnection {
  return {
    method: 'copy',
    async transaction(fn) {
      const { tx } = (await thread.call({ op: 'begin' })) as { tx: number };
      try {
        const out = await fn(session(thread, tx));
        await thread.call({ op: 'commit', tx });
        return out;
      } catch (e) {
        await thread.call({ op: 'rollback', tx }).catch(() => undefined);
        throw e;
      }
    },
    close: async () => undefined,
  };
}
