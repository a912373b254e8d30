import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { IMPORT_KINDS } from '../../src/import/kinds/index.ts';
import type { ImportKindName } from '../../src/import/kind.ts';
import { ImportFileError, runImport, type ImportResult } from '../../src/import/run-import.ts';
import { EncodingError } from '../../src/import/encoding.ts';
import { openImportConnection } from '../../src/import/staging/connect.ts';
import { TEST_DB_VARIANTS } from '../../test-support/db.ts';
import { useTestDatabase } from '../services/use-database.ts';

const FIXTURES = path.resolve('test/fixtures/csv');
let out: string;
beforeAll(async () => {
  out = await mkdtemp(path.join(os.tmpdir(), 'kq-import-'));
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

describe.each(TEST_DB_VARIANTS)('registry import ($name)', ({ name, kind, thread }) => {
  const database = useTestDatabase(kind, { thread });
  const prisma = () => database().prisma;
  const run = (name: ImportKindName, file: string, opts: { partial?: boolean; report?: boolean; pieceBytes?: number } = {}): Promise<ImportResult> =>
    runImport(database(), IMPORT_KINDS[name], {
      file: path.join(FIXTURES, file),
      partial: opts.partial,
      reportFile: opts.report ? path.join(out, `${name}-${file}.rejected.csv`) : null,
      pieceBytes: opts.pieceBytes ?? 120,
    });
  const registry = async () => {
    await run('kindergartens', 'kindergartens.csv');
    await run('parents', 'parents.csv');
  };
  const snapshot = async () => ({
    kindergartens: await prisma().kindergarten.findMany({ orderBy: { number: 'asc' }, omit: { id: true } }),
    parents: await prisma().parent.findMany({ orderBy: { iin: 'asc' }, omit: { id: true, createdAt: true } }),
    children: await prisma().child.findMany({
      orderBy: { iin: 'asc' },
      select: { iin: true, fullName: true, birthDate: true, parent: { select: { iin: true } } },
    }),
    applications: await prisma().application.findMany({
      orderBy: { queueNumber: 'asc' },
      select: {
        queueNumber: true,
        category: true,
        status: true,
        registeredAt: true,
        validUntil: true,
        parent: { select: { iin: true } },
        child: { select: { iin: true } },
        choices: { orderBy: { rank: 'asc' }, select: { rank: true, kindergarten: { select: { number: true } } } },
      },
    }),
  });

  it('imports kindergartens and parents with every accepted spelling', async () => {
    const k = await run('kindergartens', 'kindergartens.csv');
    expect(k).toMatchObject({ rows: 4, written: 4, rejectedCount: 0, committed: true });
    const p = await run('parents', 'parents.csv');
    expect(p).toMatchObject({ rows: 4, written: 4, rejectedCount: 0, committed: true });
    const s = await snapshot();
    expect(s.kindergartens.map((x) => [x.number, x.ownership, x.languages, x.capacity, x.district, x.latitude, x.correctional])).toEqual([
      [7, 'PRIVATE', ['KK', 'RU'], 30, 'Бостандыкский', 43.22, false],
      [12, 'STATE', ['KK', 'RU'], 100, 'Алмалинский', 43.2389, false],
      [45, 'STATE', ['KK'], 50, 'Алмалинский', 43.25, false],
      [101, 'STATE', ['RU'], 20, 'Бостандыкский', 43.23, true],
    ]);
    expect(s.parents).toEqual([
      { iin: '850120401033', fullName: 'Ахметова Дана', phone: '+77470000003', locale: null, notifyWhatsapp: false, notifySms: null },
      { iin: '881102301027', fullName: 'Иванов Иван, старший', phone: '+77020000002', locale: 'ru', notifyWhatsapp: true, notifySms: null },
      { iin: '900514401017', fullName: 'Серикова Айгерим Болатовна', phone: '+77011234567', locale: 'kk', notifyWhatsapp: true, notifySms: false },
      { iin: '920707301043', fullName: 'Омаров Ерлан', phone: '+77750000004', locale: 'ru', notifyWhatsapp: true, notifySms: true },
    ]);
    // A re-import that leaves the consent columns empty (or out) keeps what was stated before.
    const again = path.join(out, `${name}-parents-again.csv`);
    await writeFile(
      again,
      'iin;full_name;phone;notify_sms\n881102301027;Иванов Иван;+77020000002;нет\n900514401017;Серикова Айгерим Болатовна;+77011234567;\n',
    );
    await runImport(database(), IMPORT_KINDS.parents, { file: again, reportFile: null });
    const after = await prisma().parent.findMany({
      where: { iin: { in: ['881102301027', '900514401017'] } },
      orderBy: { iin: 'asc' },
      select: { notifyWhatsapp: true, notifySms: true },
    });
    expect(after).toEqual([
      { notifyWhatsapp: true, notifySms: false },
      { notifyWhatsapp: true, notifySms: false },
    ]);
  });

  it('imports applications with children and ordered choices, dates in Almaty time', async () => {
    await registry();
    const r = await run('applications', 'applications-good.csv');
    expect(r).toMatchObject({ rows: 5, written: 5, rejectedCount: 0, committed: true });
    const apps = (await snapshot()).applications;
    expect(apps.map((a) => [a.queueNumber, a.parent.iin, a.child.iin, a.category, a.status, a.choices.map((c) => c.kindergarten.number)])).toEqual([
      [1001, '900514401017', '200315502013', 'GENERAL', 'ACTIVE', [12, 45, 7]],
      [1002, '900514401017', '210601602026', 'PRIVILEGED', 'ACTIVE', [45, 12]],
      [1003, '881102301027', '220110502032', 'GENERAL', 'STOP_LISTED', [7]],
      [1004, '850120401033', '210909602040', 'CORRECTIONAL', 'ENROLLED', [101, 12]],
      [1005, '920707301043', '201231502058', 'GENERAL', 'ACTIVE', [12]],
    ]);
    // 10.05.2023 11:20 in Almaty (UTC+6 then); 2025-10-01 ends at 23:59:59 Almaty (UTC+5).
    expect(apps[0]!.registeredAt.toISOString()).toBe('2023-05-10T05:20:00.000Z');
    expect(apps[0]!.validUntil.toISOString()).toBe('2025-10-01T18:59:59.000Z');
    expect(apps[1]!.registeredAt.toISOString()).toBe('2023-05-31T18:00:00.000Z');
    const child = await prisma().child.findUniqueOrThrow({ where: { iin: '200315502013' } });
    expect(child.birthDate.toISOString()).toBe('2020-03-15T00:00:00.000Z');
  });

  it('loads the rows with COPY', async () => {
    const connection = await openImportConnection(database());
    await connection.close();
    expect(connection.method).toBe('copy');
  });

  it.runIf(thread)("sends the rows to the database's thread as COPY text, every statement in the import's one transaction", async () => {
    await registry();
    const sent = vi.spyOn(database().thread!, 'call');
    try {
      expect(await run('applications', 'applications-good.csv')).toMatchObject({ written: 5, committed: true });
      const requests = sent.mock.calls.map(([req]) => req);
      expect(requests[0]).toEqual({ op: 'begin' });
      const { tx } = (await sent.mock.results[0]!.value) as { tx: number };
      expect(requests.at(-1)).toEqual({ op: 'commit', tx });
      const between = requests.slice(1, -1);
      expect(new Set(between.map((r) => r.op))).toEqual(new Set(['sql', 'copy']));
      expect(between.every((r) => 'tx' in r && r.tx === tx)).toBe(true);
      // The five rows in one slice (pieces of a few lines gathered), its bytes moved there: gone from here.
      const copies = requests.filter((r) => r.op === 'copy');
      expect(copies).toMatchObject([{ table: 'import_stage' }]);
      expect((copies[0] as { data: Uint8Array }).data.byteLength).toBe(0);
    } finally {
      sent.mockRestore();
    }
  });

  it('re-importing the same files changes nothing', async () => {
    await registry();
    await run('applications', 'applications-good.csv');
    const before = await snapshot();
    await registry();
    const again = await run('applications', 'applications-good.csv', { pieceBytes: 1 << 20 });
    expect(again).toMatchObject({ written: 5, committed: true });
    expect(await snapshot()).toEqual(before);
    expect(await prisma().applicationChoice.count()).toBe(9);
  });

  it('a re-import of an older export keeps what the bot did since: extensions, purge and restore', async () => {
    await registry();
    await run('applications', 'applications-good.csv');
    const apps = await prisma().application.findMany({ where: { status: 'ACTIVE' }, orderBy: { queueNumber: 'asc' }, take: 3 });
    expect(apps.length).toBe(3);
    const [extended, purged, referred] = apps as [(typeof apps)[0], (typeof apps)[0], (typeof apps)[0]];
    const later = new Date(extended.validUntil.getTime() + 365 * 86_400_000);
    await prisma().application.update({ where: { id: extended.id }, data: { validUntil: later } });
    await prisma().application.update({ where: { id: purged.id }, data: { status: 'STOP_LISTED', stopListedAt: new Date() } });
    // Referrals are the registry's business, not the bot's: the file's status wins over them.
    await prisma().application.update({ where: { id: referred.id }, data: { status: 'REFERRED' } });
    await run('applications', 'applications-good.csv');
    const after = await prisma().application.findMany({ where: { id: { in: apps.map((a) => a.id) } } });
    const byId = new Map(after.map((a) => [a.id, a]));
    expect(byId.get(extended.id)).toMatchObject({ status: 'ACTIVE', validUntil: later });
    expect(byId.get(purged.id)!.status).toBe('STOP_LISTED');
    expect(byId.get(referred.id)!.status).toBe('ACTIVE');
  });

  it('rejects the bad rows with line numbers and reasons, and writes nothing in all-or-nothing mode', async () => {
    await registry();
    const before = await snapshot();
    const r = await run('applications', 'applications-bad.csv', { report: true });
    expect(r.committed).toBe(false);
    expect(r.written).toBe(0);
    expect(r.rows).toBe(8);
    const byLine = Object.fromEntries(r.rejections.map((x) => [x.line, x.reasons.join(' | ')]));
    expect(Object.keys(byLine).map(Number)).toEqual([3, 4, 5, 6, 7, 9]);
    expect(byLine[3]).toMatch(/^parent_iin: неверная контрольная цифра ИИН/);
    expect(byLine[4]).toMatch(/^choices: неизвестный номер сада 999/);
    expect(byLine[5]).toMatch(/^queue_number: повтор — уже в строке 2/);
    expect(byLine[6]).toMatch(/^registered_at: неверная дата/);
    expect(byLine[7]).toMatch(/текст после закрывающей кавычки/);
    expect(byLine[9]).toMatch(/^parent_iin: заявитель с таким ИИН не загружен/);
    expect(await snapshot()).toEqual(before);
    const report = await readFile(r.reportFile!, 'utf8');
    expect(report.split('\n')[0]).toBe('\ufeffline;key;reasons');
    expect(report.split('\n').filter(Boolean)).toHaveLength(7);
    expect(report).toContain('4;1003;choices: неизвестный номер сада 999');
  });

  it('with --partial keeps the good rows', async () => {
    await registry();
    const r = await run('applications', 'applications-bad.csv', { partial: true });
    expect(r).toMatchObject({ committed: true, written: 2, rejectedCount: 6 });
    expect((await snapshot()).applications.map((a) => [a.queueNumber, a.choices.map((c) => c.kindergarten.number)])).toEqual([
      [1001, [12, 45]],
      [1007, [45]],
    ]);
  });

  it('a child named by several rows is one child: the last row names it, every application points to it', async () => {
    await registry();
    const file = path.join(out, `${name}-one-child.csv`);
    const rows = (names: [string, string]) => [
      'queue_number;parent_iin;child_iin;child_full_name;registered_at;valid_until;choices',
      `2001;900514401017;200315502013;${names[0]};10.05.2023;2025-10-01;12`,
      `2002;900514401017;210601602026;Серикова Алия;10.05.2023;2025-10-01;45`,
      `2003;900514401017;200315502013;${names[1]};11.05.2023;2025-10-01;7`,
    ];
    const imported = async (names: [string, string]) => {
      await writeFile(file, rows(names).join('\n'));
      expect(await runImport(database(), IMPORT_KINDS.applications, { file, reportFile: null })).toMatchObject({ written: 3, committed: true });
      const apps = await prisma().application.findMany({
        orderBy: { queueNumber: 'asc' },
        select: { queueNumber: true, child: { select: { iin: true, fullName: true } } },
      });
      return { apps: apps.map((a) => [a.queueNumber, a.child.iin, a.child.fullName]), children: await prisma().child.count() };
    };
    expect(await imported(['Сериков Алихан', 'Сериков Әлихан'])).toEqual({
      apps: [
        [2001, '200315502013', 'Сериков Әлихан'],
        [2002, '210601602026', 'Серикова Алия'],
        [2003, '200315502013', 'Сериков Әлихан'],
      ],
      children: 2,
    });
    // Again with the child known: renamed in place, still one.
    expect(await imported(['Сериков Алихан', 'Сериков Алихан Ерланұлы'])).toMatchObject({
      apps: [[2001, '200315502013', 'Сериков Алихан Ерланұлы'], expect.anything(), [2003, '200315502013', 'Сериков Алихан Ерланұлы']],
      children: 2,
    });
  });

  it('a large file staged on threads, in pieces cut inside quoted fields, gives what one thread gives', async () => {
    const file = path.join(out, `${name}-threads.csv`);
    const lines = ['number;name_kk;name_ru;address_kk;address_ru;ownership;languages;capacity;district;latitude;longitude'];
    const lineOf = new Map<number, number>();
    for (let i = 1, line = 2; i <= 300; i++) {
      // A name over two lines, a broken quote, text after a quote, a bad capacity and a blank line now and then.
      const name = i % 5 === 0 ? `"Бала""бақша\n№${i}"` : i === 101 ? `"Балабақша ${i}` : i === 151 ? `"Балабақша"${i}` : `Балабақша ${i}`;
      const languages = i === 101 ? 'KK' : '"KK, RU"';
      lines.push(`${i};${name};Детский сад ${i};Абай, ${i};Абая, ${i};гос;${languages};${i === 201 ? 'много' : 40 + i};Район;43.2;76.9`);
      lineOf.set(i, line);
      line += i % 5 === 0 ? 2 : 1;
      if (i % 37 === 0) {
        lines.push('');
        line++;
      }
    }
    await writeFile(file, lines.join('\r\n'));
    const staged = async (threads: number) => {
      await prisma().kindergarten.deleteMany();
      const r = await runImport(database(), IMPORT_KINDS.kindergartens, { file, reportFile: null, partial: true, threads, pieceBytes: 300 });
      return { r, rows: (await snapshot()).kindergartens };
    };
    const one = await staged(0);
    expect(one.r).toMatchObject({ rows: 300, committed: true });
    expect(one.r.rejections.map((x) => [x.line, x.reasons[0]?.split(' ')[0]])).toEqual([
      // Its quote stays open into the next line, closes before that line's "KK, RU": the next line is read again.
      [lineOf.get(101), 'текст'],
      [lineOf.get(151), 'текст'],
      [lineOf.get(201), 'capacity:'],
    ]);
    expect(one.rows.find((k) => k.number === 5)?.nameKk).toBe('Бала"бақша №5');
    expect(one.rows.map((k) => k.number).filter((n) => n > 99 && n < 103)).toEqual([100, 102]);
    const two = await staged(2);
    expect(two).toEqual(one);
  });

  it('refuses files in another encoding or with missing columns before writing anything', async () => {
    await registry();
    await expect(run('applications', 'applications-cp1251.csv')).rejects.toThrow(EncodingError);
    await expect(run('applications', 'applications-cp1251.csv')).rejects.toThrow(/Windows-1251/);
    await expect(run('applications', 'applications-utf16.csv')).rejects.toThrow(/UTF-16/);
    await expect(run('parents', 'kindergartens.csv')).rejects.toThrow(ImportFileError);
    await expect(run('parents', 'kindergartens.csv')).rejects.toThrow(/iin, full_name, phone/);
    expect(await prisma().application.count()).toBe(0);
  });

  it('a Windows-1251 name deep in a large file is refused with its line, from a staging thread too, and nothing is written', async () => {
    const file = path.join(out, `${name}-late-cp1251.csv`);
    const header = 'number;name_kk;name_ru;address_kk;address_ru;ownership;languages;capacity;district;latitude;longitude\n';
    const row = (i: number) => `${i};Балабақша ${i};Детский сад ${i};Абай, ${i};Абая, ${i};гос;KK;${40 + i};Район;43.2;76.9\n`;
    const before = Array.from({ length: 249 }, (_, i) => row(i + 1)).join('');
    // "Иванов" in Windows-1251 on line 251 (the header is line 1).
    const bad = Buffer.concat([Buffer.from('250;'), Buffer.from([0xc8, 0xe2, 0xe0, 0xed, 0xee, 0xe2]), Buffer.from(row(250).slice(4))]);
    await writeFile(file, Buffer.concat([Buffer.from(header + before), bad, Buffer.from(row(251))]));
    for (const threads of [0, 2]) {
      const imported = runImport(database(), IMPORT_KINDS.kindergartens, { file, reportFile: null, threads, pieceBytes: 500 });
      await expect(imported).rejects.toThrow(EncodingError);
      await expect(imported).rejects.toThrow(/строка 251/);
    }
    expect(await prisma().kindergarten.count()).toBe(0);
  });
});
