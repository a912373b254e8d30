import type { EngineConnection } from './engine-connections.ts';
import { engineError, withSchemaEngine } from './engine.ts';
import { MigrationError } from './errors.ts';
import { NO_FILTER, readMigrationHistory } from './history.ts';
import { DEFAULT_MIGRATIONS_DIR } from './paths.ts';

export interface DeployResult {
  /** Migrations applied by this call, in order; empty when the database was up to date. */
  applied: string[];
}

/**
 * Applies every committed migration the database has not recorded yet (`prisma migrate deploy`).
 * Each script runs whole or not at all; a failing one is recorded as failed, never as applied,
 * and blocks later deploys until it is resolved.
 */
export async function deployMigrations(conn: EngineConnection, migrationsDir: string = DEFAULT_MIGRATIONS_DIR): Promise<DeployResult> {
  const migrationsList = await readMigrationHistory(migrationsDir);
  await conn.waitForMigrationLock();
  try {
    const out = await withSchemaEngine(conn.factory, (engine) => engine.applyMigrations({ migrationsList, filters: NO_FILTER }));
    return { applied: out.appliedMigrationNames };
  } catch (e) {
    throw new MigrationError(`Migrating the database failed: ${engineError(e).message}`, { cause: e });
  }
}
