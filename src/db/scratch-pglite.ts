import { PGlite } from '@electric-sql/pglite';

/**
 * A throwaway in-memory PGlite, empty (the migration tools' history replay and shadow database, tests).
 * `PGlite.create()` runs initdb, about 2.5 times the CPU of loading a dump of its result, so the
 * first fresh cluster is dumped and the later ones start from that dump.
 */
let blankCluster: Blob | undefined;

export async function scratchPGlite(): Promise<PGlite> {
  if (blankCluster) return PGlite.create({ loadDataDir: blankCluster });
  const pglite = await PGlite.create();
  blankCluster ??= await pglite.dumpDataDir('none');
  return pglite;
}
