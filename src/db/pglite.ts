import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { acquireDataDirLock } from './lockfile.ts';

/** PGlite keeps its files in `<dataDir>/pglite`, next to the lock file. */
export const PGLITE_SUBDIR = 'pglite';

export interface OpenedPGlite {
  pglite: PGlite;
  /** Closes PGlite, then releases the data-directory lock. */
  close(): Promise<void>;
}

/** The persisted embedded database, held exclusively by this process until closed. */
export async function openEmbeddedPGlite(dataDir: string): Promise<OpenedPGlite> {
  const lock = await acquireDataDirLock(dataDir);
  let pglite: PGlite;
  try {
    pglite = await PGlite.create(path.resolve(dataDir, PGLITE_SUBDIR));
  } catch (e) {
    await lock.release();
    throw e;
  }
  return {
    pglite,
    async close() {
      try {
        if (!pglite.closed) await pglite.close();
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
