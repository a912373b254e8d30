/**
 * `npm run db:migrate` | `npm run db:status` | `npm run db:migration:new -- NAME`
 *
 * Migrations through Prisma's WASM schema engine, against DATABASE_URL when set, else the embedded
 * database in DATA_DIR (default `data`). Options: --schema PATH, --migrations DIR.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/env.ts';
import { deployMigrations } from './deploy.ts';
import { createMigration, unmigratedSchemaChanges } from './new-migration.ts';
import { DEFAULT_MIGRATIONS_DIR, DEFAULT_SCHEMA_PATH } from './paths.ts';
import { isUpToDate, migrationStatus } from './status.ts';
import { describeTarget, withEngineConnection } from './target.ts';

const USAGE = 'Usage: npm run db:migrate | npm run db:status | npm run db:migration:new -- NAME';

function list(names: string[]): string {
  return names.map((n) => `\n  ${n}`).join('');
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { schema: { type: 'string' }, migrations: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const [command, ...rest] = positionals;
  if (values.help || command === undefined) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const schemaPath = path.resolve(values.schema ?? DEFAULT_SCHEMA_PATH);
  const migrationsDir = path.resolve(values.migrations ?? DEFAULT_MIGRATIONS_DIR);
  const shownDir = path.relative(process.cwd(), migrationsDir) || '.';

  switch (command) {
    case 'new': {
      const name = rest.join('_');
      if (name === '') {
        console.error(`Name the migration. ${USAGE}`);
        return 2;
      }
      const created = await createMigration(name, { schemaPath, migrationsDir });
      if (created === null) {
        console.log(`No changes: ${path.relative(process.cwd(), schemaPath)} matches the migrations in ${shownDir}; nothing written.`);
        return 0;
      }
      console.log(`Created ${path.relative(process.cwd(), path.join(created.dir, 'migration.sql'))}. Review it, then run npm run db:migrate.`);
      return 0;
    }
    case 'deploy': {
      const target = loadConfig().database;
      const { applied } = await withEngineConnection(target, (conn) => deployMigrations(conn, migrationsDir));
      console.log(
        applied.length === 0
          ? `${capitalise(describeTarget(target))} is up to date; no migration to apply.`
          : `Applied ${applied.length} migration(s) to ${describeTarget(target)}:${list(applied)}`,
      );
      return 0;
    }
    case 'status': {
      const target = loadConfig().database;
      const s = await withEngineConnection(target, (conn) => migrationStatus(conn, { schemaPath, migrationsDir }));
      const unmigrated = await unmigratedSchemaChanges({ schemaPath, migrationsDir });
      console.log(`${capitalise(describeTarget(target))}: ${s.applied.length} of ${s.local.length} migration(s) in ${shownDir} applied.`);
      if (s.pending.length > 0) console.log(`Pending (npm run db:migrate applies them):${list(s.pending)}`);
      if (s.failed.length > 0) console.log(`Failed (fix the database by hand, then mark it resolved):${list(s.failed)}`);
      if (s.edited.length > 0) console.log(`Edited after being applied (checksum differs):${list(s.edited)}`);
      if (s.missingLocally.length > 0) console.log(`Applied to the database but missing from ${shownDir}:${list(s.missingLocally)}`);
      if (s.drift !== null && s.pending.length > 0) console.log('The database differs from the schema, as expected while migrations are pending.');
      else if (s.drift !== null) console.log(`The database has drifted from the schema; SQL that would reconcile it:\n${s.drift.trim()}`);
      if (unmigrated !== null) console.log('The schema has changes no migration holds yet: run npm run db:migration:new -- NAME.');
      const ok = isUpToDate(s) && unmigrated === null;
      if (ok) console.log('Database schema is up to date.');
      return ok ? 0 : 1;
    }
    default:
      console.error(`Unknown command "${command}". ${USAGE}`);
      return 2;
  }
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// Explicit exit: nothing the engine leaves behind may keep the process alive.
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
