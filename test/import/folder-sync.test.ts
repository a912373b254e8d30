/**
 * The scheduled registry sync: complete files (with their `.ready` marker) imported in the
 * registry's order and moved to done/, a bad one to failed/ with its rejection report, a file still
 * being written (no marker yet) left alone until it is complete; one instance at a time.
 */
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/clock.ts';
import { acquireLease } from '../../src/campaign/leases.ts';
import { readyFiles, registryFolderTick, REGISTRY_SYNC_LEASE } from '../../src/import/folder-sync.ts';
import { createLogger } from '../../src/log.ts';
import { TEST_DB_KINDS } from '../../test-support/db.ts';
import { useTestDatabase } from '../services/use-database.ts';

const FIXTURES = path.resolve('test/fixtures/csv');

describe.each(TEST_DB_KINDS)('registry folder sync (%s)', (kind) => {
  const database = useTestDatabase(kind);
  let dir: string;
  const clock = manualClock(new Date('2026-12-04T21:00:00Z'));
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kq-sync-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const drop = async (fixture: string, as: string, ready = true) => {
    await copyFile(path.join(FIXTURES, fixture), path.join(dir, as));
    if (ready) await writeFile(path.join(dir, `${as}.ready`), '');
  };
  const tick = (instanceId = 'a') => registryFolderTick({ dir, target: database(), db: database().prisma, clock, logger: createLogger('silent'), instanceId });
  const list = async (sub = '.') => (await readdir(path.join(dir, sub)).catch(() => [] as string[])).sort();

  it('imports complete files in order, moves them to done/ or failed/ (with the report), leaves one still being written', async () => {
    // Dropped in the "wrong" order: the registry's order is kept all the same.
    await drop('applications-good.csv', 'applications-2026-12-04.csv');
    await drop('applications-bad.csv', 'applications-2026-12-05.csv');
    await drop('parents.csv', 'parents.csv');
    await drop('kindergartens.csv', 'kindergartens.csv');
    await drop('applications-good.csv', 'applications-2026-12-06.csv', false);
    expect(await readyFiles(dir)).toEqual(['kindergartens.csv', 'parents.csv', 'applications-2026-12-04.csv', 'applications-2026-12-05.csv']);

    const synced = await tick();
    expect(synced!.map((s) => [s.file, s.outcome])).toEqual([
      ['kindergartens.csv', 'done'],
      ['parents.csv', 'done'],
      ['applications-2026-12-04.csv', 'done'],
      ['applications-2026-12-05.csv', 'failed'],
    ]);
    expect(await database().prisma.application.count()).toBe(5);
    const stamp = '2026-12-04T21-00-00-000Z';
    expect(await list('done')).toEqual([`${stamp}_applications-2026-12-04.csv`, `${stamp}_kindergartens.csv`, `${stamp}_parents.csv`]);
    expect(await list('failed')).toEqual([`${stamp}_applications-2026-12-05.csv`, `${stamp}_applications-2026-12-05.rejected.csv`]);
    const report = await readFile(path.join(dir, 'failed', `${stamp}_applications-2026-12-05.rejected.csv`), 'utf8');
    expect(report).toContain('choices: неизвестный номер сада 999');
    // The file still being written stays where it is, untouched.
    expect(await list()).toEqual(['applications-2026-12-06.csv', 'done', 'failed']);
    expect(await tick()).toEqual([]);

    // Its writer finishes: the marker appears, the next tick takes it (no change: no event).
    await writeFile(path.join(dir, 'applications-2026-12-06.csv.ready'), '');
    clock.advance(60_000);
    const next = await tick();
    expect(next!.map((s) => [s.file, s.outcome, s.result?.events])).toEqual([['applications-2026-12-06.csv', 'done', 0]]);
    expect(await list()).toEqual(['done', 'failed']);
  });

  it('a file that cannot be read at all goes to failed/ with the reason; another instance holding the lease leaves everything', async () => {
    await drop('applications-utf16.csv', 'applications-x.csv');
    await writeFile(path.join(dir, 'budget.csv'), 'a;b\n');
    await writeFile(path.join(dir, 'budget.csv.ready'), '');
    expect(await acquireLease(database().prisma, REGISTRY_SYNC_LEASE, 'b', 60_000, clock.now())).toBe(true);
    expect(await tick('a')).toBeNull();
    expect(await list()).toEqual(['applications-x.csv', 'applications-x.csv.ready', 'budget.csv', 'budget.csv.ready']);
    clock.advance(61_000);
    const synced = await tick('a');
    expect(synced!.map((s) => [s.file, s.outcome])).toEqual([
      ['applications-x.csv', 'failed'],
      ['budget.csv', 'failed'],
    ]);
    expect(synced![0]!.problem).toMatch(/UTF-16/);
    const failed = await list('failed');
    expect(failed.filter((f) => f.endsWith('.error.txt'))).toHaveLength(2);
    expect(await readFile(path.join(dir, 'failed', failed.find((f) => f.startsWith('2026') && f.endsWith('budget.csv.error.txt'))!), 'utf8')).toMatch(
      /kindergartens, parents или applications/,
    );
    expect(await list()).toEqual(['failed']);
  });
});
