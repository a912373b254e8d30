/**
 * A dispatcher process sending SMS killed with SIGKILL mid-send, then restarted: nothing lost, and
 * nothing sent twice but the one send in flight (one lane: at most one message the database does not
 * know of) — the outbox's boundary holds for SMS as for the chats. The daily budget counts what
 * went, and the in-flight message's parts at most once more.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countSegments } from '../../src/campaign/sms/segments.ts';
import { createTestDatabase, TEST_DB_KINDS, type TestDatabase } from '../../test-support/db.ts';
import { MobizonDouble } from '../../test-support/fakes/mobizon.ts';
import { duplicatesIn, killMidwayAndRestart, spawnDispatchChild } from '../campaign/fixtures/spawn-dispatch-child.ts';
import { createCampaignSeason, parentWith } from '../campaign/support.ts';
import { phoneDigits, SENDER_NAME, SMS_API_KEY, smsReminderRow, consentingToSms } from './fixtures/sms-harness.ts';

const run = TEST_DB_KINDS.includes('postgres') ? describe : describe.skip;
const BUDGET = 1000;

run('SMS dispatcher killed with SIGKILL (postgres)', () => {
  let db: TestDatabase;
  let double: MobizonDouble;

  beforeEach(async () => {
    db = await createTestDatabase('postgres');
    // Each answer held 25 ms: a send is almost always in flight when the kill comes.
    double = await MobizonDouble.start({ apiKey: SMS_API_KEY, senderNames: [SENDER_NAME], delayMs: 25 });
  });
  afterEach(async () => {
    await double.close();
    await db.close();
  });

  it('kill -9 mid-send, restart: every parent gets their SMS, at most the one in flight twice, the budget counting it', async () => {
    const now = new Date();
    const season = await createCampaignSeason(db.prisma, {
      deadline: new Date(now.getTime() + 10 * 86_400_000),
      opensAt: new Date(now.getTime() - 86_400_000),
    });
    const phones: string[] = [];
    for (let i = 0; i < 40; i++) {
      const parent = await consentingToSms(db.prisma, (await parentWith(db.prisma, { needing: 1 })).parent);
      await db.prisma.outbox.create({ data: smsReminderRow(parent, season.id, now) });
      phones.push(phoneDigits(parent.phone));
    }
    // A rate far above what one lane can send: the lane, not the rate, is what bounds the sends in flight.
    const child = (env: Record<string, string>) =>
      spawnDispatchChild(db.url!, double.apiRoot, { CHANNEL: 'SMS', SMS_DAILY_BUDGET: String(BUDGET), RATE: '200', LANES: '1', ...env });

    await killMidwayAndRestart(child, () => double.messages.length, 40);

    const rows = await db.prisma.outbox.findMany();
    expect(rows.filter((r) => r.status !== 'SENT')).toEqual([]);
    const received = double.perRecipient();
    expect([...received.keys()].sort()).toEqual([...phones].sort());
    const duplicates = duplicatesIn(received);
    expect(duplicates).toBeLessThanOrEqual(1);
    expect(double.messages).toHaveLength(40 + duplicates);
    // Every row's externalId is one of the messages Mobizon accepted for its number.
    for (const r of rows) expect(double.messages.some((m) => m.messageId === r.externalId && m.recipient === r.chatId)).toBe(true);
    // The parts of every message that went (the repeated one too), and at most the in-flight one's again.
    const parts = double.messages.reduce((sum, m) => sum + countSegments(m.text).segments, 0);
    // (Two days, should the test straddle an Almaty midnight.)
    const [{ spent }] = (await db.prisma.$queryRaw`SELECT COALESCE(sum(segments), 0)::int AS spent FROM sms_budget_days`) as [{ spent: number }];
    expect(spent).toBeGreaterThanOrEqual(parts);
    expect(spent).toBeLessThanOrEqual(parts + 2);
  });
});
