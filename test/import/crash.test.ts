/**
 * An import killed with SIGKILL halfway through leaves the registry as it was (one transaction),
 * and the next run completes it: every event recorded once, every notice planned once.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { PROJECT_ROOT } from '../../src/db/migrations/paths.ts';
import { makeIin } from '../../src/domain/iin.ts';
import { IMPORT_KINDS } from '../../src/import/kinds/index.ts';
import { runImport } from '../../src/import/run-import.ts';
import { createTestDatabase, TEST_DB_KINDS, type TestDatabase } from '../../test-support/db.ts';

const FIXTURES = path.resolve('test/fixtures/csv');
const ROWS = 30_000;
const PARENTS = 200;
const DAY = 86_400_000;
const parentIin = (i: number) => makeIin(new Date(Date.UTC(1985, 0, 1) + i * DAY), 'M', 2);
const childIin = (i: number) => makeIin(new Date(Date.UTC(2020, 0, 1) + (i % 1_500) * DAY), i % 2 ? 'F' : 'M', 2 * Math.floor(i / 1_500));
const HEADER = 'queue_number;parent_iin;child_iin;child_full_name;registered_at;status;valid_until;choices;referral_kindergarten';
/** Every 100th application referred in version 2. */
const appRow = (i: number, v: 1 | 2) =>
  `${10_000 + i};${parentIin(i % PARENTS)};${childIin(i)};Бала ${i};10.05.2023;${v === 2 && i % 100 === 0 ? 'направлено;2030-10-01;"12, 45";7' : 'активна;2030-10-01;"12, 45";'}`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kq-import-crash-'));
  await writeFile(
    path.join(dir, 'parents.csv'),
    ['iin;full_name;phone', ...Array.from({ length: PARENTS }, (_, i) => `${parentIin(i)};Ата-ана ${i};+7701${String(i).padStart(7, '0')}`)].join('\n'),
  );
  for (const v of [1, 2] as const)
    await writeFile(path.join(dir, `applications-${v}.csv`), [HEADER, ...Array.from({ length: ROWS }, (_, i) => appRow(i, v))].join('\n'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function killHalfway(env: Record<string, string>): Promise<void> {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'test/import/fixtures/import-child.ts')], {
    env: { ...process.env, FILE: path.join(dir, 'applications-2.csv'), ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()));
  let out = '';
  proc.stdout!.on('data', (b: Buffer) => {
    out += b.toString();
    if (out.includes('half')) proc.kill('SIGKILL');
  });
  return exited.then(() => {
    expect(out).toContain('half');
    expect(out).not.toContain('finished');
  });
}

describe.each(TEST_DB_KINDS)('an import killed halfway (%s)', (kind) => {
  let test: TestDatabase | null = null;
  let dataDir = '';
  const open = async (): Promise<Database> =>
    kind === 'postgres' ? openDatabase({ kind: 'postgres', url: test!.url! }, { migrate: false }) : openDatabase({ kind: 'embedded', dataDir });
  afterAll(async () => {
    await test?.close();
  });

  it('leaves the registry as it was, and the next run completes it once', { timeout: 180_000 }, async () => {
    if (kind === 'postgres') test = await createTestDatabase('postgres');
    else dataDir = await mkdtemp(path.join(dir, 'embedded-'));
    let db = await open();
    const snapshot = async () => {
      const [s] = await db.prisma.$queryRaw<{ referred: number; events: number; outbox: number; revisions: number }[]>`
        SELECT (SELECT count(*) FROM applications WHERE status = 'REFERRED')::int AS referred, (SELECT count(*) FROM registry_events)::int AS events,
               (SELECT count(*) FROM outbox)::int AS outbox, (SELECT sum("registryRevision") FROM applications)::int AS revisions`;
      return s!;
    };
    try {
      await runImport(db, IMPORT_KINDS.kindergartens, { file: path.join(FIXTURES, 'kindergartens.csv'), reportFile: null });
      await runImport(db, IMPORT_KINDS.parents, { file: path.join(dir, 'parents.csv'), reportFile: null });
      expect(await runImport(db, IMPORT_KINDS.applications, { file: path.join(dir, 'applications-1.csv'), reportFile: null })).toMatchObject({
        committed: true,
        written: ROWS,
      });
      const parents = await db.prisma.parent.findMany({ select: { id: true } });
      await db.prisma.chatLink.createMany({
        data: parents.map((p) => ({ channel: 'TELEGRAM' as const, chatId: `tg-${p.id}`, parentId: p.id, locale: 'ru' as const })),
      });
      const before = await snapshot();
      expect(before).toEqual({ referred: 0, events: 0, outbox: 0, revisions: ROWS });
      await db.close();

      await killHalfway(kind === 'postgres' ? { DATABASE_URL: test!.url! } : { PGLITE_DIR: dataDir });

      db = await open();
      expect(await snapshot()).toEqual(before);
      const r = await runImport(db, IMPORT_KINDS.applications, { file: path.join(dir, 'applications-2.csv'), reportFile: null });
      expect(r).toMatchObject({ committed: true, events: ROWS / 100, notices: ROWS / 100 });
      expect(await snapshot()).toEqual({ referred: ROWS / 100, events: ROWS / 100, outbox: ROWS / 100, revisions: ROWS + ROWS / 100 });
      expect(await runImport(db, IMPORT_KINDS.applications, { file: path.join(dir, 'applications-2.csv'), reportFile: null })).toMatchObject({
        events: 0,
        notices: 0,
      });
    } finally {
      await db.close();
    }
  });
});
