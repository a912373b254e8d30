/**
 * The one V8 setting the product changes, for the whole process (its worker threads included).
 *
 * Allocation-site pretenuring: when most objects made at one place in the code are still alive at
 * a young-generation collection, V8 starts allocating that place's objects straight in the old
 * generation. A webhook's objects live a few milliseconds, but a collection that happens while an
 * update is in flight finds them alive, so V8 tenured sites all over the request path (Prisma,
 * grammY, node-fetch, the conversation step): ≈ 37 KB of every update's ≈ 236 KB went to the old
 * generation and died there, and the product's thread ran a mark-compact every 3–6 s. Without it,
 * in eight paced runs of the conversation benchmark alternating the two (`scripts/bench/conversation.ts`,
 * 7 032 updates per run) the mark-compacts fell from 15–31 to 10–12 per run and p99 from 12.5–14.7
 * to 9.8–13.5 ms.
 *
 * Set at run time (Node keeps V8's flags writable after start), so it holds whatever command line
 * starts the process: `bots/main.ts` (`npm start`, the chaos run's instances) and the conversation
 * benchmark call `tuneV8` first.
 */
import v8 from 'node:v8';

export const V8_FLAGS = ['--no-allocation-site-pretenuring'] as const;

export function tuneV8(): void {
  for (const flag of V8_FLAGS) v8.setFlagsFromString(flag);
}
