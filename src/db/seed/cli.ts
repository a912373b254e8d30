/**
 * `npm run db:seed [-- --seed N --parents N --now ISO-DATE]`: fills an empty database (the
 * embedded one, or DATABASE_URL) with the demo registry. A database that already holds data is
 * left untouched.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/env.ts';
import { openDatabase } from '../client.ts';
import { DEMO_PARENTS } from './demo-parents.ts';
import { DEFAULT_PARENTS, DEFAULT_SEED } from './generate.ts';
import { isDatabaseEmpty, seedDemo } from './seed.ts';

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new Error(`--${name} expects a whole number, got "${value}"`);
  return Number(value);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { seed: { type: 'string' }, parents: { type: 'string' }, now: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help) {
    console.log('Usage: npm run db:seed -- [--seed N] [--parents N] [--now 2026-09-01T09:00:00+05:00]');
    return 0;
  }
  const now = values.now === undefined ? new Date() : new Date(values.now);
  if (Number.isNaN(now.getTime())) throw new Error(`--now expects an ISO date, got "${values.now}"`);
  const seed = positiveInt('seed', values.seed, DEFAULT_SEED);
  const parents = positiveInt('parents', values.parents, DEFAULT_PARENTS);

  const db = await openDatabase(loadConfig().database);
  try {
    if (!(await isDatabaseEmpty(db.prisma))) {
      console.log(`The ${db.kind} database already holds registry data; nothing seeded.`);
      return 0;
    }
    const summary = await seedDemo(db.prisma, { now, seed, parents });
    const { elapsedMs, ...counts } = summary;
    console.log(`Seeded the ${db.kind} database in ${(elapsedMs / 1000).toFixed(1)} s:`);
    for (const [table, count] of Object.entries(counts)) console.log(`  ${table.padEnd(22)} ${count}`);
    // Fictitious, fixed and published in the README: safe to print, unlike real registry data.
    console.log('Demo parents (fictitious) for the console chat:');
    for (const p of DEMO_PARENTS) console.log(`  ${p.phone}  IIN ${p.iin}  ${p.fullName}`);
    return 0;
  } finally {
    await db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
