/** How the fuzz suites run: databases, batch size, and concurrent lanes of steps. */
import type { TestDbKind } from '../../test-support/db.ts';

/** Updates sent between two checks of the invariants. */
export const FUZZ_BATCH = 40;

/** FUZZ_DB = embedded (default) | postgres | both. */
export function fuzzDbKinds(): TestDbKind[] {
  const v = (process.env['FUZZ_DB'] ?? 'embedded').trim().toLowerCase();
  if (v === 'both') return ['embedded', 'postgres'];
  if (v === 'embedded' || v === 'postgres') return [v];
  throw new Error(`FUZZ_DB must be embedded, postgres or both, not "${v}"`);
}

/** Runs each lane's steps in order, the lanes side by side (interleaved chats); results in lane order. */
export async function runLanes<S, R>(lanes: S[][], run: (step: S) => Promise<R>): Promise<R[]> {
  const results = await Promise.all(
    lanes.map(async (lane) => {
      const out: R[] = [];
      for (const s of lane) out.push(await run(s));
      return out;
    }),
  );
  return results.flat();
}
