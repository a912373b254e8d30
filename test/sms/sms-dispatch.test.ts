/**
 * SMS through the real dispatcher and the Mobizon provider against the loopback double, on both
 * databases: rows SENT with Mobizon's message id, texts in the parent's language with the deep link,
 * the daily budget of parts never exceeded (the rest waits for the next day, its attempts untouched),
 * failures classified, the night respected, and neither the API key nor a phone in the logs.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DispatcherSettings } from '../../src/campaign/outbox/dispatcher.ts';
import { UNREACHABLE } from '../../src/campaign/outbox/results.ts';
import { almatyDay, segmentsSpent, smsBudgetToday, SMS_BUDGET_SPENT } from '../../src/campaign/sms/budget.ts';
import { SMS_NIGHT } from '../../src/campaign/sms/notifier.ts';
import { smsText } from '../../src/campaign/sms/texts.ts';
import { smsPlan } from '../../src/campaign/sms/plan.ts';
import { countSegments } from '../../src/campaign/sms/segments.ts';
import { smsPlanRows } from '../../src/campaign/progress-table.ts';
import { SendFailure } from '../../src/campaign/senders.ts';
import { createLogger } from '../../src/log.ts';
import { buildNotification } from '../../src/campaign/notifications.ts';
import { TEST_DB_KINDS } from '../../test-support/db.ts';
import { createApplication } from '../helpers/fixtures.ts';
import { MobizonDouble } from '../../test-support/fakes/mobizon.ts';
import { makeDispatcher, sharedTranslator } from '../../test-support/dispatch-harness.ts';
import { useDispatchDatabase } from '../campaign/fixtures/dispatch-test.ts';
import { almaty, createCampaignSeason, parentWith, SEASON_DATES } from '../campaign/support.ts';
import {
  deepLink,
  linkedOutreach,
  phoneDigits,
  SENDER_NAME,
  SMS_API_KEY,
  smsNoticeRow,
  smsReminderRow,
  smsSender,
  consentingToSms,
} from './fixtures/sms-harness.ts';

const NOW = almaty('2026-12-20 12:00');
const NEXT_MIDNIGHT = almaty('2026-12-21 00:00');
const WINDOW = { startMinute: 9 * 60, endMinute: 20 * 60 };

describe.each(TEST_DB_KINDS)('SMS through the dispatcher (%s)', (kind) => {
  const { prisma, clock } = useDispatchDatabase(kind, NOW);
  let double: MobizonDouble;
  beforeEach(async () => {
    double = await MobizonDouble.start({ apiKey: SMS_API_KEY, senderNames: [SENDER_NAME] });
  });
  afterEach(async () => {
    await double.close();
  });

  interface Run {
    dailyBudget?: number;
    window?: typeof WINDOW;
    settings?: Partial<DispatcherSettings>;
    apiRoot?: string;
    timeoutMs?: number;
    logger?: ReturnType<typeof createLogger>;
  }

  async function dispatcher(r: Run = {}) {
    const db = prisma();
    const sender = await smsSender({
      db,
      apiRoot: r.apiRoot ?? double.apiRoot,
      clock,
      dailyBudget: r.dailyBudget ?? 1000,
      window: r.window,
      timeoutMs: r.timeoutMs,
    });
    return makeDispatcher({
      prisma: db,
      dbKind: kind,
      senders: [sender],
      clock,
      deepLinks: linkedOutreach(),
      settings: { ratePerSecond: { TELEGRAM: 1000, WHATSAPP: 1000, SMS: 1000 }, ...(r.window ? { window: r.window } : {}), ...r.settings },
      ...(r.logger ? { logger: r.logger } : {}),
    });
  }

  /** `n` parents needing extension of two applications each, an SMS reminder row for each. */
  async function planned(n: number, locales: ('kk' | 'ru' | null)[] = []) {
    const db = prisma();
    const season = await createCampaignSeason(db);
    const parents = [];
    for (let i = 0; i < n; i++) {
      const parent = await consentingToSms(db, (await parentWith(db, { needing: 2 })).parent);
      const locale = i < locales.length ? locales[i] : 'ru';
      const p = locale ? await db.parent.update({ where: { id: parent.id }, data: { locale } }) : parent;
      await db.outbox.create({ data: smsReminderRow(p, season.id, NOW) });
      parents.push(p);
    }
    return { season, parents };
  }

  const rows = () => prisma().outbox.findMany({ orderBy: { id: 'asc' } });
  const spent = (at: Date = NOW) => segmentsSpent(prisma(), almatyDay(at));
  const reminderText = async (locale: 'kk' | 'ru', parentId: number) =>
    smsText(await sharedTranslator(), { kind: 'REMINDER', data: { count: 2, deadline: SEASON_DATES.deadline, daysLeft: 5 } }, locale, deepLink(parentId));

  it("reminders go by SMS in the parent's language with their deep link → SENT with Mobizon's message id, parts counted", async () => {
    const { parents } = await planned(3, ['kk', 'ru', null]);
    const stats = await (await dispatcher()).tick();
    expect(stats.sent).toBe(3);
    const all = await rows();
    expect(all.map((r) => r.status)).toEqual(['SENT', 'SENT', 'SENT']);
    // The registry names no language for the third parent: Kazakh.
    const expected = [await reminderText('kk', parents[0]!.id), await reminderText('ru', parents[1]!.id), await reminderText('kk', parents[2]!.id)];
    for (const [i, p] of parents.entries()) {
      const msg = double.messages.find((m) => m.recipient === phoneDigits(p.phone))!;
      expect(msg).toMatchObject({ text: expected[i], from: SENDER_NAME });
      expect(msg.text).toContain(deepLink(p.id));
      expect(all[i]).toMatchObject({ externalId: msg.messageId, attempts: 1, viaTemplate: false, sentAt: NOW });
    }
    // Each text takes two parts.
    expect(await spent()).toBe(6);
  });

  it('the plan shows the waiting SMS and their parts as they are then sent, against the budget', async () => {
    const { season } = await planned(5, ['kk', 'ru', null, 'ru', 'kk']);
    const settings = { translator: await sharedTranslator(), publicUrl: 'https://kezek.example.kz', dailyBudget: 6 };
    const before = await smsPlan(prisma(), season, NOW, settings);
    expect(before.perMessage.map((m) => m.segments)).toEqual([2, 2, 2, 2]);
    expect(before.waiting).toEqual({ messages: 5, segments: 10 });
    expect(before).toMatchObject({ spent: 0, today: { spent: 0, budget: 6, left: 6, deferredToLaterDays: 0 }, daysNeeded: 2 });
    await (await dispatcher({ dailyBudget: 6 })).tick();
    // What went took exactly the parts the plan counted for it.
    const sentParts = double.messages.reduce((n, m) => n + countSegments(m.text).segments, 0);
    expect(sentParts).toBe(6);
    const after = await smsPlan(prisma(), season, NOW, settings);
    expect(after).toMatchObject({ waiting: { messages: 2, segments: 4 }, spent: 6, today: { spent: 6, left: 0, deferredToLaterDays: 2 }, daysNeeded: 2 });
    // The operator's table says the same.
    const rows = new Map(smsPlanRows(after));
    expect(rows.get('SMS waiting / SMS ждут отправки')).toBe('2 messages, 4 parts');
    expect(rows.get('SMS budget today / Бюджет SMS сегодня')).toBe('6 of 6 parts spent, 0 left; 2 messages wait for a later day');
  });

  it('the daily budget is never exceeded: what does not fit waits for the next day, its attempts untouched', async () => {
    const { parents } = await planned(4);
    const d = await dispatcher({ dailyBudget: 5 });
    let stats = await d.tick();
    expect(stats).toMatchObject({ sent: 2, deferred: 2, retried: 0, failed: 0 });
    expect(double.messages).toHaveLength(2);
    expect(await spent()).toBe(4);
    const waiting = (await rows()).filter((r) => r.status === 'PENDING');
    expect(waiting.map((r) => ({ attempts: r.attempts, error: r.error, at: r.nextAttemptAt }))).toEqual([
      { attempts: 0, error: SMS_BUDGET_SPENT, at: NEXT_MIDNIGHT },
      { attempts: 0, error: SMS_BUDGET_SPENT, at: NEXT_MIDNIGHT },
    ]);
    expect(await smsBudgetToday(prisma(), NOW)).toEqual({ spent: 4, waiting: 2 });
    // Later the same day: nothing more.
    clock.set(almaty('2026-12-20 23:59'));
    expect((await d.tick()).sent).toBe(0);
    expect(double.messages).toHaveLength(2);
    // The next day's budget.
    clock.set(NEXT_MIDNIGHT);
    stats = await d.tick();
    expect(stats.sent).toBe(2);
    expect((await rows()).every((r) => r.status === 'SENT')).toBe(true);
    expect(await spent(NEXT_MIDNIGHT)).toBe(4);
    expect([...double.perRecipient().keys()].sort()).toEqual(parents.map((p) => phoneDigits(p.phone)).sort());
  });

  // A batch whose messages took send slots would not finish: the time limit is the failure.
  it('a spent budget defers a whole claimed batch at once, before any of it takes a send slot', { timeout: 15_000 }, async () => {
    await planned(20);
    const db = prisma();
    await db.$executeRaw`INSERT INTO sms_budget_days (day, segments) VALUES (${almatyDay(NOW)}::date, 5)`;
    // One send a second on a clock that stands still: a batch that took send slots would never finish the tick.
    const stats = await (await dispatcher({ dailyBudget: 5, settings: { ratePerSecond: { TELEGRAM: 1, WHATSAPP: 1, SMS: 1 }, batchSize: 50 } })).tick();
    expect(stats).toMatchObject({ sent: 0, deferred: 20 });
    expect(double.calls).toHaveLength(0);
    const [bucket] = await db.$queryRaw<{ tokens: number }[]>`SELECT tokens FROM rate_limit_buckets WHERE key = 'SMS'`;
    expect(bucket!.tokens).toBe(1);
    expect((await rows()).every((r) => r.status === 'PENDING' && r.attempts === 0 && r.error === SMS_BUDGET_SPENT)).toBe(true);
  });

  it("the send itself refuses parts another instance spent meanwhile, and defers to the next day's window", async () => {
    const { parents } = await planned(1);
    const db = prisma();
    const sender = await smsSender({ db, apiRoot: double.apiRoot, clock, dailyBudget: 5, window: WINDOW });
    await db.$executeRaw`INSERT INTO sms_budget_days (day, segments) VALUES (${almatyDay(NOW)}::date, 4)`;
    const p = parents[0]!;
    const content = { kind: 'REMINDER' as const, data: { count: 2, deadline: SEASON_DATES.deadline, daysLeft: 5 } };
    const failure = await sender
      .send({
        chatId: phoneDigits(p.phone),
        locale: 'ru',
        message: buildNotification('REMINDER', content.data),
        template: null,
        withinServiceWindow: true,
        content,
        link: deepLink(p.id),
      })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(failure).toBeInstanceOf(SendFailure);
    expect((failure as SendFailure).failure).toEqual({ kind: 'defer', until: almaty('2026-12-21 09:00'), reason: SMS_BUDGET_SPENT });
    expect(double.calls).toHaveLength(0);
    expect(await spent()).toBe(4);
  });

  it('throttled (code 30): retried later and its parts given back; a 502 may have sent: its parts stay spent', async () => {
    await planned(1);
    double.fail({ code: 30, message: 'Превышен лимит запросов' });
    const d = await dispatcher();
    expect((await d.tick()).retried).toBe(1);
    let [row] = await rows();
    expect(row).toMatchObject({ status: 'PENDING', attempts: 1 });
    expect(row!.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(NOW.getTime() + 5_000);
    expect(await spent()).toBe(0);
    double.fail({ httpStatus: 502 });
    clock.advance(10_000);
    expect((await d.tick()).retried).toBe(1);
    expect(await spent()).toBe(2);
    clock.advance(60_000);
    expect((await d.tick()).sent).toBe(1);
    [row] = await rows();
    expect(row).toMatchObject({ status: 'SENT', attempts: 3, externalId: double.messages[0]!.messageId });
    expect(await spent()).toBe(4);
  });

  it("an invalid number: the row FAILED unreachable, the number's other waiting SMS cancelled, the parts given back", async () => {
    const { parents } = await planned(2);
    const bad = parents[0]!;
    const db = prisma();
    await createApplication(db, { parentId: bad.id, status: 'STOP_LISTED', queueNumber: 777_001 });
    await db.outbox.create({ data: { ...smsNoticeRow(bad, [777_001], NOW), nextAttemptAt: new Date(NOW.getTime() + 3_600_000) } });
    await double.close();
    double = await MobizonDouble.start({ apiKey: SMS_API_KEY, senderNames: [SENDER_NAME], unknownNumbers: [phoneDigits(bad.phone)] });
    await (await dispatcher()).tick();
    const mine = (await rows()).filter((r) => r.chatId === phoneDigits(bad.phone));
    expect(mine.map((r) => [r.kind, r.status, r.error])).toEqual([
      ['REMINDER', 'FAILED', UNREACHABLE],
      ['STOPLIST_NOTICE', 'CANCELLED', UNREACHABLE],
    ]);
    expect((await rows()).find((r) => r.chatId === phoneDigits(parents[1]!.phone))!.status).toBe('SENT');
    expect(await spent()).toBe(2);
  });

  it('a stop-list notice at night waits for the morning window, untried', async () => {
    const db = prisma();
    const parent = await consentingToSms(db, (await parentWith(db, {})).parent);
    await createApplication(db, { parentId: parent.id, status: 'STOP_LISTED', queueNumber: 555_001 });
    const night = almaty('2026-12-26 00:00');
    clock.set(night);
    await db.outbox.create({ data: smsNoticeRow(parent, [555_001], night) });
    const d = await dispatcher({ window: WINDOW });
    expect(await d.tick()).toMatchObject({ sent: 0, deferred: 1 });
    let [row] = await rows();
    expect(row).toMatchObject({ status: 'PENDING', attempts: 0, error: SMS_NIGHT, nextAttemptAt: almaty('2026-12-26 09:00') });
    expect(double.calls).toHaveLength(0);
    clock.set(almaty('2026-12-26 09:00'));
    expect((await d.tick()).sent).toBe(1);
    [row] = await rows();
    expect(row).toMatchObject({ status: 'SENT', attempts: 1 });
    // The registry names no language for this parent: Kazakh.
    expect(double.messages[0]!.text.split('\n')[0]).toBe('Балабақша өтініші стоп-парақта. Қайтару:');
  });

  it('a wrong API key: FAILED for an operator, the channel rests, nothing more is tried', async () => {
    await planned(3);
    await double.close();
    double = await MobizonDouble.start({ apiKey: 'another-key', senderNames: [SENDER_NAME] });
    const stats = await (await dispatcher({ settings: { lanes: 1 } })).tick();
    expect(stats.failed).toBe(1);
    const all = await rows();
    expect(all.filter((r) => r.status === 'FAILED')).toHaveLength(1);
    expect(all.filter((r) => r.status === 'PENDING')).toHaveLength(2);
    expect(double.calls).toHaveLength(1);
    expect(await spent()).toBe(0);
  });

  it('neither the API key nor a phone nor a text reaches the logs, whatever fails', async () => {
    const { parents } = await planned(4);
    let out = '';
    const logger = createLogger('trace', { write: (s: string) => void (out += s) });
    double.fail({ code: 8, message: 'Неверный ключ API', recipient: phoneDigits(parents[0]!.phone) });
    double.fail({ hang: true, recipient: phoneDigits(parents[1]!.phone) });
    double.fail({ httpStatus: 503, recipient: phoneDigits(parents[2]!.phone) });
    await (await dispatcher({ logger, timeoutMs: 300, settings: { lanes: 4 } })).tick();
    expect(double.calls.length).toBeGreaterThanOrEqual(3);
    expect(out).toContain('outbox');
    expect(out).not.toContain(SMS_API_KEY);
    for (const p of parents) expect(out).not.toContain(phoneDigits(p.phone));
    expect(out).not.toContain('Продлите');
  });
});
