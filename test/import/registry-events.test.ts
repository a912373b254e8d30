import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromAlmaty } from '../../src/domain/almaty-time.ts';
import { IMPORT_KINDS } from '../../src/import/kinds/index.ts';
import { runImport, type ImportResult } from '../../src/import/run-import.ts';
import { TEST_DB_VARIANTS } from '../../test-support/db.ts';
import { useTestDatabase } from '../services/use-database.ts';

const FIXTURES = path.resolve('test/fixtures/csv');
const HEADER =
  'queue_number;parent_iin;child_iin;child_full_name;registered_at;status;valid_until;choices;referral_kindergarten;referral_group;referral_accept_by';
const A = '900514401017'; // linked to a chat below (kk)
const B = '881102301027'; // no chat
const row = (q: number, parent: string, child: string, status: string, referral = ';;') =>
  `${q};${parent};${child};Бала ${q};10.05.2023;${status};2030-10-01;"12, 45";${referral}`;

/** Version 1: three applications in the queue and one already referred. */
const V1 = [
  row(1001, A, '200315502013', 'активна'),
  row(1002, B, '220110502032', 'активна'),
  row(1003, A, '210601602026', 'направлено', '7;;'),
  row(1004, B, '210909602040', 'активна'),
];
/** Version 2: 1001 referred, 1002 enrolled, 1003's referral lapsed, 1004 withdrawn, 1005 new. */
const V2 = [
  row(1001, A, '200315502013', 'направлено', '12;Балапан (2–3 года);20.08.2030'),
  row(1002, B, '220110502032', 'зачислен'),
  row(1003, A, '210601602026', 'активна'),
  row(1004, B, '210909602040', 'отозвано'),
  row(1005, A, '201231502058', 'активна'),
];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kq-events-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.each(TEST_DB_VARIANTS)('registry events ($name)', ({ name, kind, thread }) => {
  const database = useTestDatabase(kind, { thread });
  const prisma = () => database().prisma;
  let n = 0;
  const importRows = async (
    rows: string[],
    opts: { now?: Date; bulkRows?: number; reach?: { whatsapp: boolean; sms: boolean } } = {},
  ): Promise<ImportResult> => {
    const file = path.join(dir, `${name}-${++n}.csv`);
    await writeFile(file, `${[HEADER, ...rows].join('\n')}\n`);
    const r = await runImport(database(), IMPORT_KINDS.applications, { file, reportFile: null, ...opts });
    expect(r).toMatchObject({ committed: true, rejectedCount: 0 });
    return r;
  };
  const registry = async () => {
    for (const k of ['kindergartens', 'parents'] as const)
      await runImport(database(), IMPORT_KINDS[k], { file: path.join(FIXTURES, `${k}.csv`), reportFile: null });
    const a = await prisma().parent.findUniqueOrThrow({ where: { iin: A } });
    await prisma().chatLink.createMany({
      data: [
        { channel: 'TELEGRAM', chatId: 'tg-a', parentId: a.id, locale: 'kk' },
        { channel: 'WHATSAPP', chatId: '77011234567', parentId: a.id, locale: 'kk' },
      ],
    });
  };
  const events = async () =>
    (await prisma().registryEvent.findMany({ orderBy: [{ id: 'asc' }], include: { application: { select: { queueNumber: true } } } })).map((e) => [
      e.application.queueNumber,
      e.kind,
      e.revision,
    ]);

  it('records each kind of change once, and plans a notice per linked chat of the parent', async () => {
    await registry();
    const first = await importRows(V1);
    // New applications: news only for a parent the bot knows (a linked chat).
    expect(await events()).toEqual([
      [1001, 'NEW_APPLICATION', 1],
      [1003, 'REFERRAL_ISSUED', 1],
    ]);
    expect(first).toMatchObject({ events: 2, notices: 4 });

    const second = await importRows(V2);
    expect((await events()).slice(2)).toEqual([
      [1001, 'REFERRAL_ISSUED', 2],
      [1002, 'ENROLLED', 2],
      [1003, 'REFERRAL_LAPSED', 2],
      [1004, 'WITHDRAWN', 2],
      [1005, 'NEW_APPLICATION', 1],
    ]);
    // Parent B has no chat: the events are recorded, nothing is sent.
    expect(second).toMatchObject({ events: 5, notices: 6 });
    const referral = await prisma().application.findUniqueOrThrow({ where: { queueNumber: 1001 }, include: { referralKindergarten: true } });
    expect(referral).toMatchObject({ status: 'REFERRED', referralGroup: 'Балапан (2–3 года)' });
    expect(referral.referralKindergarten?.number).toBe(12);
    expect(referral.referralAcceptBy?.toISOString()).toBe('2030-08-20T18:59:59.000Z');
    const outbox = await prisma().outbox.findMany({
      where: { payload: { path: ['queueNumber'], equals: 1001 }, kind: 'REGISTRY_REFERRAL_ISSUED' },
      orderBy: { channel: 'asc' },
    });
    expect(outbox.map((o) => [o.channel, o.chatId])).toEqual([
      ['TELEGRAM', 'tg-a'],
      ['WHATSAPP', '77011234567'],
    ]);
    expect(outbox[0]!.payload).toMatchObject({ queueNumber: 1001, status: 'REFERRED', group: 'Балапан (2–3 года)', acceptBy: '2030-08-20T18:59:59.000Z' });
    // A lapsed referral no longer names a kindergarten.
    expect(await prisma().application.findUniqueOrThrow({ where: { queueNumber: 1003 } })).toMatchObject({ status: 'ACTIVE', referralKindergartenId: null });

    // The same file again: no event, no notice, no revision moved.
    const again = await importRows(V2);
    expect(again).toMatchObject({ events: 0, notices: 0 });
    expect((await prisma().application.findUniqueOrThrow({ where: { queueNumber: 1001 } })).registryRevision).toBe(2);

    // The referral moved to another kindergarten: a new referral event (and notices), once.
    const moved = V2.map((r) => (r.startsWith('1001;') ? row(1001, A, '200315502013', 'направлено', '45;;25.08.2030') : r));
    expect(await importRows(moved)).toMatchObject({ events: 1, notices: 2 });
    expect(await importRows(moved)).toMatchObject({ events: 0, notices: 0 });
    expect((await events()).at(-1)).toEqual([1001, 'REFERRAL_ISSUED', 3]);
  });

  it('a referral for a parent without a chat goes to the registry phone, by consent: WhatsApp first, else SMS', async () => {
    await registry();
    const C = '920707301043'; // WhatsApp and SMS consent, no chat
    const D = '850120401033'; // no WhatsApp consent; SMS given below
    await prisma().parent.update({ where: { iin: D }, data: { notifySms: true } });
    await importRows([
      row(2001, A, '200315502013', 'активна'),
      row(2002, C, '220110502032', 'активна'),
      row(2003, D, '210601602026', 'активна'),
      row(2004, B, '210909602040', 'активна'),
    ]);
    const referred = [
      row(2001, A, '200315502013', 'направлено', '12;;'),
      row(2002, C, '220110502032', 'направлено', '12;;'),
      row(2003, D, '210601602026', 'направлено', '12;;'),
      row(2004, B, '210909602040', 'направлено', '12;;'),
    ];
    // B consented to WhatsApp but stopped it: nothing goes there, and no SMS consent either.
    const b = await prisma().parent.findUniqueOrThrow({ where: { iin: B } });
    await prisma().notificationOptOut.create({ data: { parentId: b.id, channel: 'WHATSAPP', source: 'bot' } });
    expect(await importRows(referred, { reach: { whatsapp: true, sms: true } })).toMatchObject({ events: 4, notices: 4 });
    const rows = await prisma().outbox.findMany({ where: { kind: 'REGISTRY_REFERRAL_ISSUED' }, orderBy: [{ channel: 'asc' }, { chatId: 'asc' }] }); // the enum's order: TELEGRAM, WHATSAPP, …, SMS
    expect(rows.map((o) => [o.channel, o.chatId, (o.payload as { outreach?: boolean }).outreach ?? false])).toEqual([
      ['TELEGRAM', 'tg-a', false],
      ['WHATSAPP', '77011234567', false],
      ['WHATSAPP', '77750000004', true],
      ['SMS', '77470000003', true],
    ]);
  });

  it('notices are planned due at once (the dispatcher keeps the quiet hours)', async () => {
    await registry();
    await importRows(V1);
    const lateEvening = fromAlmaty({ year: 2030, month: 3, day: 10 }, 23 * 60 + 30);
    await importRows(V2, { now: lateEvening });
    const planned = await prisma().outbox.findMany({ where: { createdAt: { gte: new Date(Date.now() - 60_000) }, kind: { startsWith: 'REGISTRY_' } } });
    const second = planned
      .filter((o) => o.nextAttemptAt.getTime() === lateEvening.getTime())
      .map((o) => o.kind)
      .sort();
    expect(second).toEqual([
      'REGISTRY_NEW_APPLICATION',
      'REGISTRY_NEW_APPLICATION',
      'REGISTRY_REFERRAL_ISSUED',
      'REGISTRY_REFERRAL_ISSUED',
      'REGISTRY_REFERRAL_LAPSED',
      'REGISTRY_REFERRAL_LAPSED',
    ]);
  });

  it('a large change goes in bulk (constraints dropped and restored) with the same result', async () => {
    await registry();
    const constraints = async () =>
      (
        await prisma().$queryRaw<{ def: string }[]>`
          SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) AS def FROM pg_constraint
          WHERE conrelid IN ('children'::regclass, 'applications'::regclass, 'application_choices'::regclass)
          UNION ALL SELECT indexdef FROM pg_indexes WHERE tablename IN ('children', 'applications', 'application_choices')
          ORDER BY 1`
      ).map((r) => r.def);
    const before = await constraints();
    await importRows(V1, { bulkRows: 1 });
    expect(await constraints()).toEqual(before);
    expect(await importRows(V2, { bulkRows: 1 })).toMatchObject({ events: 5, notices: 6 });
    expect(await constraints()).toEqual(before);
    expect(await prisma().applicationChoice.count()).toBe(10);
  });
});
