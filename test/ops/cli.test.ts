import { copyFile, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate } from '../../src/console/auth/users.ts';
import { runOps } from '../../src/ops/cli.ts';
import type { OpsContext } from '../../src/ops/context.ts';
import { progress } from '../../src/ops/progress.ts';
import { TEST_DB_KINDS } from '../../test-support/db.ts';
import { useTestDatabase } from '../services/use-database.ts';
import { seedStatsFixture } from '../stats/fixture.ts';

const FIXTURES = path.resolve('test/fixtures/csv');
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kq-ops-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function sink() {
  let text = '';
  return {
    write: (s: string) => {
      text += s;
      return true;
    },
    get text() {
      return text;
    },
  };
}

describe('progress', () => {
  it('prints plain tenths when not on a terminal, a redrawn bar on one', () => {
    const plain = sink();
    const p = progress('import', plain);
    for (const f of [0, 0.05, 0.1, 0.35, 0.99]) p.update(f);
    p.done();
    expect(plain.text).toBe('import: 0%\nimport: 10%\nimport: 30%\nimport: 90%\nimport: 100%\n');
    const tty = { ...sink(), isTTY: true };
    let out = '';
    tty.write = (s: string) => {
      out += s;
      return true;
    };
    const bar = progress('stats', tty);
    bar.update(0.5);
    bar.done();
    expect(out).toMatch(/^\rstats \[█{15}░{15}\] {2}50% \d+s \rstats \[█{30}\] 100% \d+s \n$/);
  });
});

describe.each(TEST_DB_KINDS)('ops CLI (%s)', (kind) => {
  const database = useTestDatabase(kind);
  let stdin = '';
  const ops = async (...argv: string[]) => {
    const stdout = sink();
    const stderr = sink();
    const ctx: OpsContext = {
      stdout,
      stderr,
      now: () => new Date('2026-10-01T06:00:00Z'),
      openDatabase: async () => ({ prisma: database().prisma, close: async () => {} }),
      translatorOptions: { portal: 'https://egov.kz', supportPhone: '1414' },
      sms: () => ({ publicUrl: 'https://kezek.example.kz', dailyBudget: 500 }),
      readStdin: async () => stdin,
    };
    const code = await runOps(argv, ctx);
    return { code, out: stdout.text, err: stderr.text };
  };

  it('explains every command in Russian and English, and refuses wrong invocations', async () => {
    for (const cmd of [['--help'], ['import', '--help'], ['season', '--help'], ['campaign', '--help'], ['purge', '--help'], ['stats', '--help']]) {
      const r = await ops(...cmd);
      expect(r.code, cmd.join(' ')).toBe(0);
      expect(r.out).toMatch(/Использование/);
      expect(r.out).toMatch(/Usage/);
    }
    expect((await ops('import', 'applications', '--help')).out).toContain('queue_number');
    expect(await ops('frobnicate')).toMatchObject({ code: 2, err: expect.stringContaining('Unknown command') });
    expect(await ops('import', 'pets', 'x.csv')).toMatchObject({ code: 2, err: expect.stringContaining('import --help') });
    expect(await ops('import', 'parents', path.join(dir, 'missing.csv'))).toMatchObject({ code: 2, err: expect.stringContaining('not found') });
    expect(await ops('import', 'parents', 'a.csv', '--bogus')).toMatchObject({ code: 2 });
    expect(await ops('purge')).toMatchObject({ code: 2, err: expect.stringContaining('--dry-run') });
    expect(await ops('stats', '--out', dir, '--lang', 'en')).toMatchObject({ code: 2 });
    expect(await ops('season', 'set', '--opens', '01.09.2026', '--deadline', '2026-10-31', '--valid-until', '2027-10-31')).toMatchObject({
      code: 2,
      err: expect.stringContaining('--opens'),
    });
  });

  it('user: adds console accounts (a generated password printed once, or one from stdin), lists, resets, disables; each action audited as cli', async () => {
    const db = database().prisma;
    const added = await ops('user', 'add', 'Zhanna.K', '--role', 'admin');
    expect(added.code).toBe(0);
    const password = /Password \(shown once\): (\S+)/.exec(added.out)![1]!;
    expect((await authenticate(db, 'zhanna.k', password, new Date())).ok).toBe(true);
    stdin = 'a long enough secret\n';
    expect((await ops('user', 'add', 'marat', '--role', 'viewer', '--password-stdin')).out).not.toContain('Password');
    expect((await authenticate(db, 'marat', 'a long enough secret', new Date())).ok).toBe(true);
    expect(await ops('user', 'add', 'marat', '--role', 'viewer')).toMatchObject({ code: 1, err: expect.stringContaining('taken') });
    expect(await ops('user', 'add', 'x', '--role', 'viewer')).toMatchObject({ code: 1 });
    expect(await ops('user', 'add', 'aset', '--role', 'boss')).toMatchObject({ code: 2, err: expect.stringContaining('--role') });
    expect((await ops('user', 'list')).out).toMatch(/marat\s+viewer\s+active/);
    const reset = await ops('user', 'reset', 'marat');
    const fresh = /shown once\): (\S+)/.exec(reset.out)![1]!;
    expect((await authenticate(db, 'marat', fresh, new Date())).ok).toBe(true);
    expect((await ops('user', 'disable', 'zhanna.k')).code).toBe(1);
    expect((await ops('user', 'disable', 'marat')).code).toBe(0);
    expect((await authenticate(db, 'marat', fresh, new Date())).ok).toBe(false);
    const actions = (await db.auditEntry.findMany({ where: { username: 'cli' }, orderBy: { id: 'asc' } })).map((a) => a.action);
    expect(actions).toEqual(['user.create', 'user.create', 'user.resetPassword', 'user.disable']);
  });

  it('imports files, writes the rejected rows next to the input, exits 3 when nothing was written', async () => {
    const copy = async (name: string) => {
      const to = path.join(dir, `${kind}-${name}`);
      await copyFile(path.join(FIXTURES, name), to);
      return to;
    };
    expect((await ops('import', 'kindergartens', await copy('kindergartens.csv'))).code).toBe(0);
    expect((await ops('import', 'parents', await copy('parents.csv'))).code).toBe(0);
    const bad = await copy('applications-bad.csv');
    const r = await ops('import', 'applications', bad);
    expect(r.code).toBe(3);
    expect(r.out).toContain('строка/line 3 [1002]: parent_iin: неверная контрольная цифра ИИН');
    expect(r.out).toContain('записано / written: 0; отклонено / rejected: 6');
    expect(r.err).toContain('import applications: 100%');
    const report = await readFile(bad.replace(/\.csv$/, '.rejected.csv'), 'utf8');
    expect(report.trim().split('\n')).toHaveLength(7);
    expect(await database().prisma.application.count()).toBe(0);
    expect(await ops('import', 'applications', bad, '--threads', 'two')).toMatchObject({ code: 2, err: expect.stringContaining('--threads') });
    // Parsed on two threads of its own, as a large file would be: the same rows kept.
    const partial = await ops('import', 'applications', bad, '--partial', '--threads', '2', '--report', path.join(dir, `${kind}-r.csv`));
    expect(partial.code).toBe(0);
    expect(await database().prisma.application.count()).toBe(2);
    const encoding = await ops('import', 'applications', await copy('applications-cp1251.csv'));
    expect(encoding).toMatchObject({ code: 1, err: expect.stringContaining('UTF-8') });
  });

  it('sets and shows seasons, shows campaign status and purges', async () => {
    const set = await ops('season', 'set', '--opens', '2026-09-01', '--deadline', '2026-09-30', '--valid-until', '2027-09-30');
    expect(set.code).toBe(0);
    expect(set.out).toContain('Created season 2026');
    expect(set.out).toContain('deadline 2026-09-30 23:59:59');
    const show = await ops('season', 'show');
    expect(show.out).toMatch(/2026\s+2026-09-01 00:00:00\s+2026-09-30 23:59:59\s+2027-09-30 23:59:59\s+\*/);
    const status = await ops('campaign', 'status');
    expect(status.code).toBe(0);
    expect(status.out).toMatch(/applications needing extension\s+0/);
    expect(status.out).toMatch(/SMS parts per message \/ Частей в одном SMS\s+reminder kk 2, ru 2; stop-list notice kk 2, ru 2/);
    expect(status.out).toMatch(/SMS budget today \/ Бюджет SMS сегодня\s+0 of 500 parts spent, 500 left/);
    const dry = await ops('purge', '--dry-run');
    expect(dry.out).toContain('Would move to the stop-list: 0');
    const purge = await ops('purge', '--confirm');
    expect(purge.code).toBe(0);
    expect(purge.out).toContain('Moved to the stop-list: 0');
    expect(await ops('purge', '--dry-run', '--season', 'nope')).toMatchObject({ code: 2, err: expect.stringContaining('nope') });
  });

  it('exports the statistics of a season', async () => {
    await seedStatsFixture(database().prisma);
    const out = path.join(dir, `${kind}-stats`);
    const r = await ops('stats', '--season', '2026', '--out', out, '--lang', 'ru');
    expect(r.code).toBe(0);
    expect(r.out).toContain('questionnaires 4');
    expect((await readdir(out)).sort()).toEqual([
      'demand-by-district.csv',
      'demand-by-kindergarten.csv',
      'digital.csv',
      'language.csv',
      'other-texts.csv',
      'ownership.csv',
      'payment.csv',
      'report.html',
      'sections.csv',
      'summary.csv',
    ]);
    expect(await readFile(path.join(out, 'report.html'), 'utf8')).toContain('Район: Алмалинский');
  });
});
