import { beforeEach, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/clock.ts';
import { createLogger } from '../../src/log.ts';
import { OPENING_OFFSET } from '../../src/campaign/outbox-kinds.ts';
import { plannerTick, purgeTick, type SchedulerDeps } from '../../src/campaign/scheduler.ts';
import { TEST_DB_KINDS } from '../../test-support/db.ts';
import { useDatabase } from '../services/use-database.ts';
import { almaty, clearLeases, createCampaignSeason, linkChat, parentWith, SETTINGS } from './support.ts';

describe.each(TEST_DB_KINDS)('scheduler ticks (%s)', (kind) => {
  const prisma = useDatabase(kind);
  beforeEach(() => clearLeases(prisma()));

  const deps = (at: string, instanceId = 'a', settings = SETTINGS) => {
    const clock = manualClock(almaty(at));
    const d: SchedulerDeps = { db: prisma(), clock, logger: createLogger('silent'), settings: { ...settings, instanceId } };
    return { d, clock };
  };

  it('plans the due offset once, and after downtime only the latest one', async () => {
    const db = prisma();
    const season = await createCampaignSeason(db);
    for (let i = 0; i < 3; i++) await linkChat(db, (await parentWith(db)).parent.id);

    expect(await plannerTick(deps('2026-10-01 09:59').d)).toMatchObject({ ran: false, offsetDays: null });
    expect(await plannerTick(deps('2026-10-01 10:00').d)).toEqual({ ran: true, season: '2026', offsetDays: OPENING_OFFSET, enqueued: 3 });
    // another instance in the same minute: the tick is taken
    expect(await plannerTick(deps('2026-10-01 10:00:20', 'b').d)).toMatchObject({ ran: false, enqueued: 0 });
    // the next minute it plans nothing new
    expect(await plannerTick(deps('2026-10-01 10:01', 'b').d)).toMatchObject({ ran: true, enqueued: 0 });
    // down from October until 19 December: one reminder, the 7-day one
    expect(await plannerTick(deps('2026-12-19 20:30').d)).toMatchObject({ ran: false });
    expect(await plannerTick(deps('2026-12-20 09:00').d)).toMatchObject({ ran: true, offsetDays: 7, enqueued: 3 });
    const offsets = await db.outbox.groupBy({ by: ['offsetDays'], _count: true, orderBy: { offsetDays: 'asc' } });
    expect(offsets.map((o) => [o.offsetDays, o._count])).toEqual([
      [OPENING_OFFSET, 3],
      [7, 3],
    ]);
    expect(season.code).toBe('2026');
  });

  it('purges once at the deadline, only when configured', async () => {
    const db = prisma();
    await createCampaignSeason(db, { deadline: almaty('2026-12-26 00:00') });
    await linkChat(db, (await parentWith(db, { needing: 2 })).parent.id);
    expect(await purgeTick(deps('2026-12-25 23:59:59').d)).toBeNull();
    expect(await purgeTick(deps('2026-12-26 00:00', 'a', { ...SETTINGS, purgeAtDeadline: false }).d)).toBeNull();
    expect(await db.purgeRun.count()).toBe(0);
    expect(await purgeTick(deps('2026-12-26 00:00').d)).toMatchObject({ count: 2, notices: 1 });
    expect(await purgeTick(deps('2026-12-26 00:01', 'b').d)).toBeNull();
    expect(await db.purgeRun.count()).toBe(1);
    expect(await db.application.count({ where: { status: 'STOP_LISTED' } })).toBe(2);
  });
});

describe('scheduler wiring (node-cron)', () => {
  it('runs the dispatcher hook on its schedule and stops cleanly, waiting for the tick in flight', async () => {
    const { createTestDatabase } = await import('../../test-support/db.ts');
    const { loadConfig } = await import('../../src/config/env.ts');
    const { startScheduler } = await import('../../src/campaign/scheduler.ts');
    const database = await createTestDatabase('embedded');
    try {
      let finished = 0;
      let firstCall!: () => void;
      const called = new Promise<void>((resolve) => (firstCall = resolve));
      const scheduler = startScheduler(
        { config: loadConfig({}), clock: manualClock(almaty('2026-10-01 10:00')), logger: createLogger('silent'), db: database },
        {
          dispatch: async () => {
            firstCall();
            await new Promise((r) => setTimeout(r, 50));
            finished++;
          },
          dispatchCron: '* * * * * *',
        },
      );
      await called; // within about a second
      await scheduler.stop();
      expect(finished).toBeGreaterThanOrEqual(1);
      const after = finished;
      await new Promise((r) => setTimeout(r, 1100));
      expect(finished).toBe(after);
    } finally {
      await database.close();
    }
  });
});
