import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { acquireDataDirLock } from './lockfile.ts';
import { PGliteThread } from './pglite-thread/thread.ts';

/** PGlite keeps its files in `<dataDir>/pglite`, next to the lock file. */
export const PGLITE_SUBDIR = 'pglite';

export interface OpenedPGliteThread {
  thread: PGliteThread;
  /** Closes PGlite and its thread, then releases the data-directory lock. */
  close(): Promise<void>;
}

export interface OpenedPGlite {
  pglite: PGlite;
  /** Closes PGlite, then releases the data-directory lock. */
  close(): Promise<void>;
}

/** The persisted embedded database, held exclusively by this process until closed. */
export async function openEmbeddedPGlite(dataDir: string): Promise<OpenedPGlite> {
  const { value: pglite, close } = await underLock(
    dataDir,
    () => PGlite.create(path.resolve(dataDir, PGLITE_SUBDIR)),
    async (p) => {
      if (!p.closed) await p.close();
    },
  );
  return { pglite, close };
}

/**
 * Opens what lives in the data directory while holding its lock: released if the open fails, and
 * after the close.
 */
async function underLock<T>(dataDir: string, open: () => Promise<T>, shut: (value: T) => Promise<void>): Promise<{ value: T; close(): Promise<void> }> {
  const lock = await acquireDataDirLock(dataDir);
  let value: T;
  try {
    value = await open();
  } catch (e) {
    await lock.release();
    throw e;
  }
  return {
    value,
    async close() {
      try {
        await shut(value);
      } finally {
        await lock.release();
      }
    },
  };
}

/** An in-memory PGlite: nothing persisted, nothing to lock. `loadDataDir` starts from a dump. */
export async function openMemoryPGlite(loadDataDir?: Blob | File): Promise<OpenedPGlite> {
  const pglite = await PGlite.create(loadDataDir ? { loadDataDir } : {});
  return {
    pglite,
    async close() {
      if (!pglite.closed) await pglite.close();
    },
  };
}

/** The persisted embedded database in a thread of its own, held exclusively by this process until closed. */
export async function openEmbeddedPGliteThread(dataDir: string): Promise<OpenedPGliteThread> {
  const { value: thread, close } = await underLock(
    dataDir,
    () => PGliteThread.start({ dataDir: path.resolve(dataDir, PGLITE_SUBDIR) }),
    (t) => t.close(),
  );
  return { thread, close };
}

/** An in-memory PGlite in a thread of its own; `load` is a `dumpDataDir` tarball to start from. */
export async function openMemoryPGliteThread(load?: ArrayBuffer): Promise<OpenedPGliteThread> {
  const thread = await PGliteThread.start(load ? { load } : {});
  return { thread, close: () => thread.close() };
}
