/**
 * The daily SMS budget with two dispatchers racing on one PostgreSQL database and one Mobizon
 * double: the parts sent in a day never exceed the budget, whoever sends them; what does not fit
 * waits for the next day, its attempts untouched, and goes then.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/clock.ts';
import type { Dispatcher } from '../../src/campaign/outbox/dispatcher.ts';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { almatyDay, segmentsSpent, SMS_BUDGET_SPENT } from '../../src/campaign/sms/budget.ts';
import { countSegments } from '../../src/campaign/sms/segments.ts';
import { createTestDatabase, TEST_DB_KINDS, type TestDatabase } from '../../test-support/db.ts';
import { MobizonDouble } from '../../test-support/fakes/mobizon.ts';
import { makeDispatcher } from '../../test-support/dispatch-harness.ts';
import { almaty, createCampaignSeason, parentWith } from '../campaign/support.ts';
import { linkedOutreach, SENDER_NAME, SMS_API_KEY, smsReminderRow, smsSender, consentingToSms } from './fixtures/sms-harness.ts';

const run = TEST_DB_KINDS.includes('postgres') ? describe : describe.skip;

const NOW = almaty('2026-12-20 12:00');
const TOMORROW = almaty('2026-12-21 00:00');
/** Odd, so that one part is always left that no two-part message fits. */
const BUDGET = 21;

run('SMS budget on several instances (postgres)', () => {
  let db: TestDatabase;
  let double: MobizonDouble;
  const extra: Database[] = [];

  beforeEach(async () => {
    db = await createTestDatabase('postgres');
    double = await MobizonDouble.start({ apiKey: SMS_API_KEY, senderNames: [SENDER_NAME], delayMs: 15 });
  });
  afterEach(async () => {
    await double.close();
    for (const d of extra.splice(0)) await d.close();
    await db.close();
  });

  it('two dispatchers racing never spend more than the budget in a day; the rest goes the next day', async () => {
    const season = await createCampaignSeason(db.prisma);
    for (let i = 0; i < 30; i++) {
      const parent = await consentingToSms(db.prisma, (await parentWith(db.prisma, { needing: 2 })).parent);
      await db.prisma.outbox.create({ data: smsReminderRow(parent, season.id, NOW) });
    }
    const clock = manualClock(NOW);
    // Each dispatcher on a connection pool of its own, as on two instances.
    const dispatchers: Dispatcher[] = await Promise.all(
      ['instance-0', 'instance-1'].map(async (instanceId) => {
        const own = await openDatabase({ kind: 'postgres', url: db.url! }, { migrate: false });
        extra.push(own);
        const sender = await smsSender({ db: own.prisma, apiRoot: double.apiRoot, clock, dailyBudget: BUDGET });
        const settings = { ratePerSecond: { TELEGRAM: 1, WHATSAPP: 1, SMS: 1000 }, lanes: 3, batchSize: 4 };
        return makeDispatcher({ prisma: own.prisma, dbKind: 'postgres', senders: [sender], clock, instanceId, deepLinks: linkedOutreach(), settings });
      }),
    );
    const day = async () => {
      const sent = [0, 0];
      // Several rounds: each dispatcher's batch check sees what the other has not spent yet.
      for (let round = 0; round < 4; round++) {
        const stats = await Promise.all(dispatchers.map((d) => d.tick()));
        stats.forEach((s, i) => (sent[i]! += s.sent));
      }
      return sent;
    };
    const partsOf = (from: number) => double.messages.slice(from).reduce((sum, m) => sum + countSegments(m.text).segments, 0);

    const first = await day();
    expect(double.messages.every((m) => countSegments(m.text).segments === 2)).toBe(true);
    expect(partsOf(0)).toBeLessThanOrEqual(BUDGET);
    expect(double.messages).toHaveLength(10);
    expect(first.every((n) => n > 0)).toBe(true);
    expect(await segmentsSpent(db.prisma, almatyDay(NOW))).toBe(20);
    const waiting = await db.prisma.outbox.findMany({ where: { status: 'PENDING' } });
    expect(waiting).toHaveLength(20);
    expect(waiting.every((r) => r.attempts === 0 && r.error === SMS_BUDGET_SPENT && r.nextAttemptAt.getTime() === TOMORROW.getTime())).toBe(true);

    clock.set(TOMORROW);
    await day();
    expect(partsOf(10)).toBeLessThanOrEqual(BUDGET);
    expect(double.messages).toHaveLength(20);
    expect(await segmentsSpent(db.prisma, almatyDay(TOMORROW))).toBe(20);
    // Nobody got two.
    expect([...double.perRecipient().values()].every((n) => n === 1)).toBe(true);
  });
});
