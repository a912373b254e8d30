/** The database as the channels see it: the generated client's JSON types and the demo registry's parents. bots/ imports src/db/ only through this file. */
export { DEMO_PARENTS } from './seed/index.ts';
export type { Prisma } from '../generated/prisma/client.ts';
