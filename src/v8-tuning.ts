/**
 * The one V8 setting the product's process runs with, given on its start command (`npm start`,
 * the systemd unit in deploy/, the chaos run's instances): `node --no-allocation-site-pretenuring
 * --import tsx bots/main.ts`. On the command line rather than set while the process runs, because
 * Node warns that `v8.setFlagsFromString` after start may leave V8 in an undefined state.
 *
 * Allocation-site pretenuring: when most objects made at one place in the code are still alive at
 * a young-generation collection, V8 starts allocating that place's objects straight in the old
 * generation. A webhook's objects live a few milliseconds, but a collection that happens while an
 * update is in flight finds them alive, so V8 tenured sites all over the request path (Prisma,
 * grammY, node-fetch, the conversation step) and the product's thread ran a mark-compact every few
 * seconds. Its effect on the conversation benchmark is in docs/performance.md.
 */
export const V8_FLAGS = ['--no-allocation-site-pretenuring'] as const;

/** The product's V8 flags missing from a process's command line (`process.execArgv`). */
export function missingV8Flags(execArgv: readonly string[] = process.execArgv): string[] {
  return V8_FLAGS.filter((flag) => !execArgv.includes(flag));
}
