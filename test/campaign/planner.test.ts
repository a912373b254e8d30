import { describe, expect, it } from 'vitest';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../../src/generated/prisma/client.ts';
import { OPENING_OFFSET } from '../../src/campaign/outbox-kinds.ts';
import { cancelObsoleteReminders, planReminders, reminderContent, stillNeedsReminder } from '../../src/campaign/planner.ts';
import { submitQuestionnaire } from '../../src/services/questionnaire.ts';
import { TEST_DB_KINDS } from '../../test-support/db.ts';
import { answersFor, createApplication, createKindergarten, createParent } from '../helpers/fixtures.ts';
import { useTestDatabase } from '../services/use-database.ts';
import { almaty, createCampaignSeason, linkChat, OLD_VALIDITY, parentWith } from './support.ts';

const NOW = almaty('2026-11-25 09:00');

describe.each(TEST_DB_KINDS)('reminder planner (%s)', (kind) => {
  const database = useTestDatabase(kind);
  const prisma = () => database().prisma;

  it('plans one reminder per reachable linked chat of each parent needing extension', async () => {
    const db = prisma();
    const season = await createCampaignSeason(db);
    const a = await parentWith(db, { needing: 2 });
    const tgA = await linkChat(db, a.parent.id, { channel: 'TELEGRAM' });
    const waA = await linkChat(db, a.parent.id, { channel: 'WHATSAPP', locale: 'kk' });
    const b = await parentWith(db, { needing: 1, extended: 1 });
    await linkChat(db, b.parent.id);
    const done = await parentWith(db, { needing: 0, extended: 2 }); // already extended
    await linkChat(db, done.parent.id);
    const gone = await parentWith(db, { needing: 1 }); // chat blocked the bot
    await linkChat(db, gone.parent.id, { unreachableAt: almaty('2026-11-01 12:00') });
    const consoleOnly = await parentWith(db, { needing: 1 });
    await linkChat(db, consoleOnly.parent.id, { channel: 'CONSOLE' });
    await parentWith(db, { needing: 1 }); // not linked at all
    const stopped = await createParent(db); // only stop-listed / enrolled applications
    await createApplication(db, { parentId: stopped.id, status: 'STOP_LISTED', validUntil: OLD_VALIDITY });
    await createApplication(db, { parentId: stopped.id, status: 'ENROLLED', validUntil: OLD_VALIDITY });
    await linkChat(db, stopped.id);

    expect(await planReminders(db, { season, offsetDays: 30, now: NOW })).toBe(3);
    const rows = await db.outbox.findMany({ orderBy: { id: 'asc' } });
    expect(rows.map((r) => [r.parentId, r.channel, r.chatId]).sort()).toEqual(
      [
        [a.parent.id, 'TELEGRAM', tgA.chatId],
        [a.parent.id, 'WHATSAPP', waA.chatId],
        [b.parent.id, 'TELEGRAM', expect.any(String)],
      ].sort(),
    );
    const row = rows.find((r) => r.chatId === waA.chatId)!;
    expect(row).toMatchObject({
      dedupeKey: `reminder:${season.id}:d30:WHATSAPP:${waA.chatId}`,
      kind: 'REMINDER',
      seasonId: season.id,
      offsetDays: 30,
      status: 'PENDING',
      attempts: 0,
      payload: { offsetDays: 30 },
    });
    expect(row.nextAttemptAt).toEqual(NOW);
    expect(row.createdAt).toEqual(NOW);
  });

  it('is idempotent: running the tick again enqueues nothing; another offset is planned separately', async () => {
    const db = prisma();
    const season = await createCampaignSeason(db);
    for (let i = 0; i < 5; i++) await linkChat(db, (await parentWith(db)).parent.id);
    expect(await planReminders(db, { season, offsetDays: OPENING_OFFSET, now: almaty('2026-10-01 10:00') })).toBe(5);
    expect(await planReminders(db, { season, offsetDays: OPENING_OFFSET, now: almaty('2026-10-01 10:01') })).toBe(0);
    expect(await planReminders(db, { season, offsetDays: 30, now: NOW })).toBe(5);
    expect(await planReminders(db, { season, offsetDays: 30, now: NOW })).toBe(0);
    expect(await db.outbox.count()).toBe(10);
    expect(await db.outbox.count({ where: { dedupeKey: { startsWith: `reminder:${season.id}:open:` } } })).toBe(5);
    // a parent who links a chat later still gets the reminder that is due
    await linkChat(db, (await parentWith(db)).parent.id);
    expect(await planReminders(db, { season, offsetDays: 30, now: NOW })).toBe(1);
  });

  it('a parent who extends between planning and sending is dropped at send time', async () => {
    const db = prisma();
    const season = await createCampaignSeason(db);
    const kg = await createKindergarten(db);
    const keen = await parentWith(db, { needing: 2 });
    await linkChat(db, keen.parent.id);
    await linkChat(db, keen.parent.id, { channel: 'WHATSAPP' });
    const slow = await parentWith(db, { needing: 3 });
    await linkChat(db, slow.parent.id);
    await planReminders(db, { season, offsetDays: 14, now: almaty('2026-12-11 09:00') });
    const keenRow = await db.outbox.findFirstOrThrow({ where: { parentId: keen.parent.id } });
    const slowRow = await db.outbox.findFirstOrThrow({ where: { parentId: slow.parent.id } });
    const later = almaty('2026-12-11 09:05');
    expect(await reminderContent(db, keenRow, later)).toEqual({ count: 2, deadline: season.deadline, daysLeft: 14 });

    await submitQuestionnaire(db, {
      parentId: keen.parent.id,
      season,
      answers: answersFor([kg]),
      channel: 'TELEGRAM',
      now: almaty('2026-12-11 09:02'),
    });

    // per-row check
    expect(await reminderContent(db, keenRow, later)).toBeNull();
    expect(await stillNeedsReminder(db, keenRow, later)).toBe(false);
    expect(await reminderContent(db, slowRow, later)).toEqual({ count: 3, deadline: season.deadline, daysLeft: 14 });
    // set-based: both of the keen parent's chats, nothing else
    expect(await cancelObsoleteReminders(db, { now: later, seasonId: season.id })).toBe(2);
    expect(await cancelObsoleteReminders(db, { now: later })).toBe(0);
    const byStatus = await db.outbox.groupBy({ by: ['parentId', 'status'], _count: true, orderBy: { parentId: 'asc' } });
    expect(byStatus.map((g) => [g.parentId, g.status, g._count])).toEqual([
      [keen.parent.id, 'CANCELLED', 2],
      [slow.parent.id, 'PENDING', 1],
    ]);
  });

  it('a reminder still pending at the deadline is obsolete', async () => {
    const db = prisma();
    const season = await createCampaignSeason(db);
    await linkChat(db, (await parentWith(db)).parent.id);
    await planReminders(db, { season, offsetDays: 1, now: almaty('2026-12-24 09:00') });
    const row = await db.outbox.findFirstOrThrow();
    expect(await stillNeedsReminder(db, row, almaty('2026-12-25 23:59:58'))).toBe(true);
    expect(await stillNeedsReminder(db, row, season.deadline)).toBe(false);
    expect(await cancelObsoleteReminders(db, { now: almaty('2026-12-25 23:59:58') })).toBe(0);
    expect(await cancelObsoleteReminders(db, { now: season.deadline })).toBe(1);
  });

  it.runIf(kind === 'postgres')('concurrent planners on several connections enqueue every reminder once', async () => {
    const db = prisma();
    const season = await createCampaignSeason(db);
    // 300 parents with one or two chats, set up in bulk
    for (let i = 0; i < 300; i++) {
      const { parent } = await parentWith(db);
      await linkChat(db, parent.id);
      if (i % 3 === 0) await linkChat(db, parent.id, { channel: 'WHATSAPP' });
    }
    const clients = Array.from({ length: 4 }, () => new PrismaClient({ adapter: new PrismaPg({ connectionString: database().url! }) }));
    try {
      const counts = await Promise.all(clients.flatMap((c) => [1, 2].map(() => planReminders(c, { season, offsetDays: 7, now: almaty('2026-12-18 09:00') }))));
      expect(counts.reduce((a, b) => a + b, 0)).toBe(400);
      expect(await db.outbox.count()).toBe(400);
      const dupes = await db.$queryRaw<{ n: number }[]>`
        SELECT count(*)::int AS n FROM (SELECT channel, "chatId" FROM outbox GROUP BY 1, 2 HAVING count(*) > 1) d`;
      expect(dupes[0]!.n).toBe(0);
    } finally {
      await Promise.all(clients.map((c) => c.$disconnect()));
    }
  });
});
