import type { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { runScriptsWith } from '../driver-error.ts';
import { scratchPGlite } from '../scratch-pglite.ts';

/**
 * The driver adapters the schema engine talks through, with the fixes the engine needs and the
 * app's own Prisma client does not. Each connection is for migration work only.
 */
export interface EngineConnection {
  readonly factory: SqlMigrationAwareDriverAdapterFactory;
  /** Serialises migrators across processes; a no-op where there is only one process by design. */
  waitForMigrationLock(): Promise<void>;
  close(): Promise<void>;
}

/** The key the native engine and the WASM engine use for `pg_advisory_lock`. */
export const PRISMA_MIGRATE_LOCK_KEY = 72707369;
const LOCK_WAIT = '10min';

// ---------------------------------------------------------------------------------------------
// PGlite

/**
 * pglite-prisma-adapter 0.7.2 starts `exec(script)` without awaiting it, so a failing migration
 * was recorded as applied; here the script is awaited and its error reported.
 */
export function pgliteEngineConnection(pglite: PGlite): EngineConnection {
  const base = new PrismaPGlite(pglite);
  const factory: SqlMigrationAwareDriverAdapterFactory = {
    provider: base.provider,
    adapterName: base.adapterName,
    connect: async () => runScriptsWith(await base.connect(), (s) => pglite.exec(s)),
    connectToShadowDb: async () => {
      const shadow = await scratchPGlite();
      const adapter = runScriptsWith(await new PrismaPGlite(shadow).connect(), (s) => shadow.exec(s));
      adapter.dispose = () => shadow.close();
      return adapter;
    },
  };
  return { factory, waitForMigrationLock: async () => {}, close: async () => {} };
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

const CHAR_OID = 18; // the catalog's one-byte "char" (pg_class.relkind, …)
const TEXT_OID = 25;

type QueryResultLike = { fields?: { dataTypeID: number }[] };

function charColumnsAsText<T>(result: T): T {
  for (const r of Array.isArray(result) ? result : [result]) {
    for (const f of (r as QueryResultLike | undefined)?.fields ?? []) if (f.dataTypeID === CHAR_OID) f.dataTypeID = TEXT_OID;
  }
  return result;
}

/**
 * @prisma/adapter-pg 7.10 refuses to read columns of type "char", which the engine's catalog
 * queries return; the values are single characters, so presenting them as text is exact.
 */
class CharAsTextClient extends pg.Client {
  override query(...args: unknown[]): never {
    const last = args.at(-1);
    if (typeof last === 'function') {
      const callback = last as (err: Error | null, res: unknown) => void;
      args[args.length - 1] = (err: Error | null, res: unknown) => callback(err, err ? res : charColumnsAsText(res));
    }
    const out: unknown = Reflect.apply(super.query, this, args);
    return (out instanceof Promise ? out.then(charColumnsAsText) : out) as never;
  }
}

/**
 * One dedicated session for the engine: its advisory lock is session-scoped, so every query
 * (lock, checks, scripts, bookkeeping) must go through the same connection, and closing the
 * connection is what releases the lock.
 */
export function postgresEngineConnection(url: string): EngineConnection {
  const pool = new pg.Pool({ connectionString: url, max: 1, idleTimeoutMillis: 0, Client: CharAsTextClient });
  pool.on('error', () => {}); // a dropped idle session surfaces on the next query instead
  const base = new PrismaPg(pool);
  const factory: SqlMigrationAwareDriverAdapterFactory = {
    provider: base.provider,
    adapterName: base.adapterName,
    connect: async () => runScriptsWith(await base.connect(), (s) => pool.query(s)),
    connectToShadowDb: () => Promise.reject(new Error('Shadow databases are not used here: new migrations are diffed on a throwaway PGlite.')),
  };
  return {
    factory,
    // The engine waits only 10 s for the lock; waiting here first (the lock is re-entrant within
    // the session) lets a second instance sit out a long migration of the first one.
    async waitForMigrationLock() {
      await pool.query(`SET lock_timeout = '${LOCK_WAIT}'`);
      try {
        await pool.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK_KEY]);
      } catch (e) {
        if ((e as { code?: string }).code === '55P03') {
          throw new Error(`Waited ${LOCK_WAIT} for another process to finish migrating this database (advisory lock ${PRISMA_MIGRATE_LOCK_KEY}); giving up.`);
        }
        throw e;
      } finally {
        await pool.query('RESET lock_timeout').catch(() => {});
      }
    },
    close: () => pool.end(),
  };
}
