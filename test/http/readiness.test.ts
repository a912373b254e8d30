/**
 * GET /readyz against a real database: 503 while committed migrations are not applied (an
 * instance started before `db:migrate` finished), 200 once they are, 503 again while the instance
 * drains (and the scrape's kq_ready and kq_draining say the same); /healthz (liveness) stays 200
 * throughout. On both databases.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { assembleCore, type Core } from '../../src/app.ts';
import { loadConfig } from '../../src/config/env.ts';
import { deployMigrations } from '../../src/db/migrations/deploy.ts';
import { pgliteEngineConnection, postgresEngineConnection } from '../../src/db/migrations/engine-connections.ts';
import { readMigrationHistory, migrationNames } from '../../src/db/migrations/history.ts';
import { DEFAULT_MIGRATIONS_DIR } from '../../src/db/migrations/paths.ts';
import { createLogger } from '../../src/log.ts';
import { createTestDatabase, TEST_DB_KINDS, type TestDatabase } from '../../test-support/db.ts';
import { parseScrape, seriesValue } from '../metrics/scrape.ts';

describe.each(TEST_DB_KINDS)('readiness (%s)', (kind) => {
  let db: TestDatabase;
  let core: Core;
  let base = '';
  afterAll(async () => {
    await core?.close();
  });

  const get = async (path: string) => {
    const res = await fetch(`${base}${path}`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('is 503 before the migrations are applied, 200 after, 503 while draining', { timeout: 60_000 }, async () => {
    db = await createTestDatabase(kind, { migrate: false });
    const config = loadConfig({ SEED_DEMO: 'false', LOG_LEVEL: 'silent' });
    core = await assembleCore(db, config, { seedDemo: false, logger: createLogger('silent') });
    base = `http://127.0.0.1:${await core.http.listen(0, '127.0.0.1')}`;
    const local = migrationNames(await readMigrationHistory(DEFAULT_MIGRATIONS_DIR));
    expect(local.length).toBeGreaterThan(0);

    expect(await get('/readyz')).toEqual({
      status: 503,
      body: { status: 'not ready', ready: false, database: 'ok', migrations: 'behind', pending: local, draining: false },
    });
    expect((await get('/healthz')).status).toBe(200);

    const conn = kind === 'postgres' ? postgresEngineConnection(db.url!) : pgliteEngineConnection(db.pglite!);
    try {
      await deployMigrations(conn);
    } finally {
      await conn.close();
    }
    expect(await get('/readyz')).toEqual({
      status: 200,
      body: { status: 'ready', ready: true, database: 'ok', migrations: 'current', draining: false },
    });

    const gauges = async () => {
      const series = parseScrape(await (await fetch(`${base}/metrics`)).text());
      return { ready: seriesValue(series, 'kq_ready'), draining: seriesValue(series, 'kq_draining') };
    };
    expect(await gauges()).toEqual({ ready: 1, draining: 0 });

    core.health.startDraining();
    expect(await gauges()).toEqual({ ready: 0, draining: 1 });
    expect(await get('/readyz')).toEqual({
      status: 503,
      body: { status: 'not ready', ready: false, database: 'ok', migrations: 'current', draining: true },
    });
    expect((await get('/healthz')).status).toBe(200);
  });
});
