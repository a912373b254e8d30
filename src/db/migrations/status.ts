import type { EngineConnection } from './engine-connections.ts';
import { engineError, withSchemaEngine } from './engine.ts';
import { MigrationError } from './errors.ts';
import { diffDatabaseToSchema, migrationNames, NO_FILTER, readMigrationHistory, readSchemaFiles } from './history.ts';
import { DEFAULT_MIGRATIONS_DIR, DEFAULT_SCHEMA_PATH } from './paths.ts';

export interface MigrationStatus {
  /** Committed migrations, in order. */
  local: string[];
  applied: string[];
  /** Committed but not yet applied: `db:migrate` would apply these. */
  pending: string[];
  /** Recorded as failed in `_prisma_migrations`: resolve by hand before deploying again. */
  failed: string[];
  /** Applied, but the committed file has changed since (checksum mismatch). */
  edited: string[];
  /** Recorded in the database but absent from prisma/migrations. */
  missingLocally: string[];
  hasMigrationsTable: boolean;
  /** SQL that would bring the live database to prisma/schema.prisma; null when they match. */
  drift: string | null;
}

export function isUpToDate(s: MigrationStatus): boolean {
  return s.pending.length === 0 && s.failed.length === 0 && s.edited.length === 0 && s.missingLocally.length === 0 && s.drift === null;
}

export async function migrationStatus(conn: EngineConnection, paths: { migrationsDir?: string; schemaPath?: string } = {}): Promise<MigrationStatus> {
  const migrationsList = await readMigrationHistory(paths.migrationsDir ?? DEFAULT_MIGRATIONS_DIR);
  const schemaFiles = await readSchemaFiles(paths.schemaPath ?? DEFAULT_SCHEMA_PATH);
  const local = migrationNames(migrationsList);
  try {
    return await withSchemaEngine(
      conn.factory,
      async (engine) => {
        const d = await engine.diagnoseMigrationHistory({ migrationsList, optInToShadowDatabase: false, filters: NO_FILTER });
        const h = d.history;
        const pending = h && h.diagnostic !== 'migrationsDirectoryIsBehind' ? h.unappliedMigrationNames : [];
        const missingLocally = h && h.diagnostic !== 'databaseIsBehind' ? h.unpersistedMigrationNames : [];
        const drift = await diffDatabaseToSchema(engine, schemaFiles, migrationsList.baseDir);
        return {
          local,
          applied: local.filter((n) => !pending.includes(n) && !d.failedMigrationNames.includes(n)),
          pending,
          failed: d.failedMigrationNames,
          edited: d.editedMigrationNames,
          missingLocally,
          hasMigrationsTable: d.hasMigrationsTable,
          drift,
        };
      },
      { schemaFiles },
    );
  } catch (e) {
    throw new MigrationError(`Reading the migration status failed: ${engineError(e).message}`, { cause: e });
  }
}
