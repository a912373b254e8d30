import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * The tests in two tiers. `unit`: the pure core, domain rules, texts, configuration, the channels'
 * renderers and parsers, the docs' links and the dependency rules — no database, no network, a few
 * seconds (`npm run test:unit`, first in CI). `integration`: everything else, on the embedded
 * database and PostgreSQL, the platform fakes and Chromium. `npm test` runs both.
 */
const UNIT = [
  'test/architecture/**/*.test.ts',
  'test/campaign/quiet-hours.test.ts',
  'test/config/**/*.test.ts',
  'test/conversation/step.test.ts',
  'test/conversation/reach.test.ts',
  'test/conversation/support.test.ts',
  'test/docs/**/*.test.ts',
  'test/domain/**/*.test.ts',
  'test/i18n/**/*.test.ts',
  'test/import/csv-reader.test.ts',
  'test/log/masking.test.ts',
  'test/sms/segments.test.ts',
  'test/telegram/render.test.ts',
  'test/telegram/updates.test.ts',
  'test/whatsapp/inbound.test.ts',
  'test/whatsapp/render.test.ts',
  'test/whatsapp/templates.test.ts',
];

/**
 * Integration files mostly wait (on PostgreSQL's commits, the embedded database's thread, loopback
 * HTTP, child processes, Chromium), so more of them run at once than there are cores: on a 2-core
 * machine vitest's default (cores − 1) would run them one by one. Each worker keeps its module
 * cache from file to file (`isolate: false`): loading Prisma's client, grammY, Fastify and PGlite
 * afresh for each of ~90 files cost more CPU than most files' own tests. Every file still gets its
 * own database (test-support/db.ts) and starts its own servers.
 */
const INTEGRATION_WORKERS = Math.max(3, availableParallelism());

export default defineConfig({
  test: {
    // Database tests share one PostgreSQL server; files run in parallel forks, each on its own database.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      // Pure tests share one worker's module cache: most of their time would be each file's start-up.
      // Projects with different worker counts run as groups, one after the other: the pure tier first.
      { extends: true, test: { name: 'unit', include: UNIT, pool: 'threads', isolate: false, sequence: { groupOrder: 0 } } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: UNIT,
          isolate: false,
          maxWorkers: INTEGRATION_WORKERS,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
