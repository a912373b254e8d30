/**
 * Reaching parents with no chat (issue: reach every parent): who gets a WhatsApp template at the
 * registry phone and who an SMS, consent and opt-outs honoured, undeliverable numbers left alone,
 * the urgent first under the tier cap, and the coverage that comes out — on both databases, with
 * the real dispatcher and WhatsApp notifier against the loopback Graph API.
 */
import { describe, expect, it } from 'vitest';
import { campaignCoverage } from '../../src/campaign/coverage.ts';
import { nextOpeningAfter, phoneAddress, planOutreach, recordUndeliverableAddress } from '../../src/campaign/outreach.ts';
import { planReminders } from '../../src/campaign/planner.ts';
import { runPurge } from '../../src/campaign/purge.ts';
import { CAMPAIGN_TEMPLATES } from '../../bots/whatsapp/notifier.ts';
import type { ReachSettings } from '../../src/config/env.ts';
import type { Db } from '../../src/services/db.ts';
import { TEST_DB_KINDS } from '../../test-support/db.ts';
import { createApplication, createParent } from '../helpers/fixtures.ts';
import { makeDispatcher, whatsappSender } from '../../test-support/dispatch-harness.ts';
import { useDispatchDatabase, useFakePlatforms } from './fixtures/dispatch-test.ts';
import { almaty, createCampaignSeason, linkChat, OLD_VALIDITY, SEASON_DATES } from './support.ts';

const NOW = almaty('2026-11-25 10:00');
const REACH: ReachSettings = { whatsappOutreach: true, sms: true, smsLastResortDays: 7, smsPerDay: null };
const WINDOW = { startMinute: 9 * 60, endMinute: 20 * 60 };

interface Who {
  whatsapp?: boolean | null;
  sms?: boolean | null;
  locale?: 'kk' | 'ru' | null;
  extended?: boolean;
}

async function parent(db: Db, who: Who) {
  const p = await createParent(db, { locale: who.locale ?? null });
  await db.parent.update({ where: { id: p.id }, data: { notifyWhatsapp: who.whatsapp ?? null, notifySms: who.sms ?? null } });
  await createApplication(db, { parentId: p.id, validUntil: who.extended ? SEASON_DATES.validUntil : OLD_VALIDITY });
  return { ...p, address: phoneAddress(p.phone) };
}

const rows = (db: Db) =>
  db.outbox.findMany({
    orderBy: { id: 'asc' },
    select: { channel: true, chatId: true, parentId: true, offsetDays: true, payload: true, nextAttemptAt: true, status: true, error: true },
  });

describe.each(TEST_DB_KINDS)('outreach to parents with no chat (%s)', (kind) => {
  const { prisma, clock } = useDispatchDatabase(kind, NOW);
  const fakes = useFakePlatforms();

  it('plans WhatsApp templates to consenting registry phones and SMS as the last resort; consent, opt-outs, chats and dead numbers honoured', async () => {
    const db = prisma();
    const season = await createCampaignSeason(db);
    const both = await parent(db, { whatsapp: true, sms: true });
    const smsOnly = await parent(db, { whatsapp: false, sms: true });
    const stoppedWhatsapp = await parent(db, { whatsapp: true, sms: true });
    await db.notificationOptOut.create({ data: { parentId: stoppedWhatsapp.id, channel: 'WHATSAPP', source: 'template' } });
    const chatting = await parent(db, { whatsapp: true, sms: true });
    const chat = await linkChat(db, chatting.id, { channel: 'TELEGRAM' });
    const silent = await parent(db, {});
    const deadNumber = await parent(db, { whatsapp: true });
    await db.undeliverableAddress.create({ data: { channel: 'WHATSAPP', address: deadNumber.address, seasonId: season.id, code: '131026' } });
    const stoppedSms = await parent(db, { whatsapp: true, sms: true });
    await db.notificationOptOut.create({ data: { parentId: stoppedSms.id, channel: 'SMS', source: 'sms' } });
    await parent(db, { whatsapp: true, sms: true, extended: true });

    // 30 days before: the chat's reminder; WhatsApp to consenting unlinked phones; SMS only where WhatsApp cannot go.
    expect(await planReminders(db, { season, offsetDays: 30, now: NOW })).toBe(1);
    expect(await planOutreach(db, { season, offsetDays: 30, now: NOW, reach: REACH, tier: null, window: WINDOW })).toEqual({ whatsapp: 2, sms: 2 });
    const planned = (await rows(db)).map((r) => `${r.channel}:${r.chatId}`).sort();
    // E.164 digits without "+", as the Cloud API and the SMS provider take them.
    expect(planned).toEqual(
      [
        `TELEGRAM:${chat.chatId}`,
        `WHATSAPP:${both.address}`,
        `WHATSAPP:${stoppedSms.address}`,
        `SMS:${smsOnly.address}`,
        `SMS:${stoppedWhatsapp.address}`,
      ].sort(),
    );
    expect(both.address).toMatch(/^7\d{10}$/);
    for (const absent of [silent, deadNumber, chatting]) expect(planned.some((k) => k.endsWith(`:${absent.address}`))).toBe(false);
    // Planned again once a sending day (a pass reads the whole registry), and idempotent when it is.
    const replan = (at: Date) => planOutreach(db, { season, offsetDays: 30, now: at, reach: REACH, tier: null, window: WINDOW });
    expect(await replan(new Date(NOW.getTime() + 30 * 60_000))).toEqual({ whatsapp: 0, sms: 0 });
    const newcomer = await parent(db, { whatsapp: true });
    expect(await replan(new Date(NOW.getTime() + 5 * 3_600_000))).toEqual({ whatsapp: 0, sms: 0 });
    expect(await replan(nextOpeningAfter(NOW, WINDOW))).toEqual({ whatsapp: 1, sms: 0 });
    expect((await rows(db)).filter((r) => r.chatId === newcomer.address)).toHaveLength(1);

    // 7 days before (the last days): the earlier offset's waiting rows give way to this one's; a
    // template going out today spares the SMS (the tier test below has one that does not).
    const later = almaty('2026-12-18 09:00');
    expect(await planOutreach(db, { season, offsetDays: 7, now: later, reach: REACH, tier: null, window: WINDOW })).toEqual({ whatsapp: 3, sms: 2 });
    const sms7 = (await rows(db)).filter((r) => r.channel === 'SMS' && r.offsetDays === 7).map((r) => r.chatId);
    expect(sms7.sort()).toEqual([smsOnly.address, stoppedWhatsapp.address].sort());
    expect((await rows(db)).filter((r) => r.offsetDays === 30 && r.channel !== 'TELEGRAM').every((r) => r.status === 'CANCELLED')).toBe(true);
    // Routes switched off: nothing beyond the chats.
    expect(
      await planOutreach(db, { season, offsetDays: 3, now: later, reach: { ...REACH, whatsappOutreach: false, sms: false }, tier: null, window: WINDOW }),
    ).toEqual({ whatsapp: 0, sms: 0 });
  });

  it('under the tier the never-reminded come first, spread over the sending days left; whom the tier cannot reach in time gets an SMS', async () => {
    const db = prisma();
    const season = await createCampaignSeason(db, { deadline: almaty('2026-11-26 23:59:59') });
    const reached = await parent(db, { whatsapp: true });
    const fresh = [];
    for (let i = 0; i < 3; i++) fresh.push(await parent(db, { whatsapp: true, sms: true }));
    await db.outbox.create({
      data: {
        dedupeKey: 'old',
        channel: 'WHATSAPP',
        chatId: reached.address,
        parentId: reached.id,
        kind: 'REMINDER',
        seasonId: season.id,
        offsetDays: 30,
        payload: { offsetDays: 30, outreach: true },
        status: 'SENT',
        sentAt: almaty('2026-11-20 10:00'),
        viaTemplate: true,
      },
    });
    // Two sending days left (today, tomorrow 09:00), two new conversations a day: four of five go.
    expect(await planOutreach(db, { season, offsetDays: 1, now: NOW, reach: REACH, tier: 2, window: WINDOW })).toEqual({ whatsapp: 4, sms: 1 });
    const planned = (await rows(db)).filter((r) => r.offsetDays === 1);
    const due = (channel: string) => planned.filter((r) => r.channel === channel).map((r) => [r.parentId, r.nextAttemptAt.toISOString()]);
    const tomorrow = almaty('2026-11-26 09:00').toISOString();
    expect(due('WHATSAPP')).toEqual([
      [fresh[0]!.id, NOW.toISOString()],
      [fresh[1]!.id, NOW.toISOString()],
      [fresh[2]!.id, tomorrow],
      [reached.id, tomorrow],
    ]);
    // In the last days, whom WhatsApp will not reach today gets an SMS now (the reached one has no SMS consent).
    expect(due('SMS')).toEqual([[fresh[2]!.id, NOW.toISOString()]]);

    // The dispatcher sends today's two; tomorrow's wait (no churn through the rest).
    clock.set(new Date(NOW.getTime() + 5000));
    const d = makeDispatcher({ prisma: db, dbKind: kind, senders: [await whatsappSender(fakes.graph.url)], settings: { whatsappTier: 2 }, clock });
    await d.tick();
    await d.stop();
    expect(
      fakes.graph
        .accepted()
        .map((m) => m.to)
        .sort(),
    ).toEqual([fresh[0]!.address, fresh[1]!.address].sort());
  });

  it("sends the template to the registry phone in the parent's language; drops it at send time for a parent who linked a chat or asked to stop meanwhile", async () => {
    const db = prisma();
    const season = await createCampaignSeason(db);
    const ru = await parent(db, { whatsapp: true, locale: 'ru' });
    const unknown = await parent(db, { whatsapp: true });
    const linksMeanwhile = await parent(db, { whatsapp: true });
    const stopsMeanwhile = await parent(db, { whatsapp: true });
    await planOutreach(db, { season, offsetDays: 30, now: NOW, reach: REACH, tier: null, window: WINDOW });
    await linkChat(db, linksMeanwhile.id, { channel: 'TELEGRAM' });
    await db.notificationOptOut.create({ data: { parentId: stopsMeanwhile.id, channel: 'WHATSAPP', source: 'bot' } });
    const d = makeDispatcher({ prisma: db, dbKind: kind, senders: [await whatsappSender(fakes.graph.url)], clock });
    await d.tick();
    await d.stop();
    const sent = fakes.graph.accepted();
    expect(sent.map((m) => [m.to, m.type, m.template.language.code]).sort()).toEqual(
      [
        [ru.address, 'template', 'ru'],
        [unknown.address, 'template', 'kk'],
      ].sort(),
    );
    const cancelled = Object.fromEntries((await rows(db)).filter((r) => r.status === 'CANCELLED').map((r) => [r.chatId, r.error]));
    expect(cancelled).toEqual({ [linksMeanwhile.address]: 'reached in a chat', [stopsMeanwhile.address]: 'opted out' });
  });

  it('a number that is no WhatsApp user (131026) is recorded and not tried again this season, whether the send or a later status says so', async () => {
    const db = prisma();
    const season = await createCampaignSeason(db);
    const refusedAtSend = await parent(db, { whatsapp: true });
    const refusedLater = await parent(db, { whatsapp: true });
    await planOutreach(db, { season, offsetDays: 30, now: NOW, reach: REACH, tier: null, window: WINDOW });
    fakes.graph.fail({ code: 131026, to: refusedAtSend.address });
    const d = makeDispatcher({ prisma: db, dbKind: kind, senders: [await whatsappSender(fakes.graph.url)], clock });
    await d.tick();
    await d.stop();
    // The other one's failure arrives as a status webhook (the channel records it so).
    expect(await recordUndeliverableAddress(db, 'WHATSAPP', refusedLater.address, '131026')).toBe(1);
    const dead = await db.undeliverableAddress.findMany({ orderBy: { address: 'asc' } });
    expect(dead.map((u) => [u.channel, u.address, u.seasonId])).toEqual(
      [refusedAtSend, refusedLater].map((p) => ['WHATSAPP', p.address, season.id]).sort((a, b) => String(a[1]).localeCompare(String(b[1]))),
    );
    expect(await planOutreach(db, { season, offsetDays: 14, now: almaty('2026-12-11 09:00'), reach: REACH, tier: null, window: WINDOW })).toEqual({
      whatsapp: 0,
      sms: 0,
    });
  });

  it("the purge's stop-list notice goes to the registry phone of a parent no chat reaches: the template with consent to WhatsApp, else an SMS", async () => {
    const db = prisma();
    const season = await createCampaignSeason(db);
    const whatsapp = await parent(db, { whatsapp: true, sms: true, locale: 'ru' });
    const sms = await parent(db, { whatsapp: false, sms: true });
    const deadNumber = await parent(db, { whatsapp: true, sms: true });
    await db.undeliverableAddress.create({ data: { channel: 'WHATSAPP', address: deadNumber.address, seasonId: season.id, code: '131026' } });
    const stopped = await parent(db, { whatsapp: true, sms: true });
    await db.notificationOptOut.createMany({
      data: [
        { parentId: stopped.id, channel: 'WHATSAPP', source: 'bot' },
        { parentId: stopped.id, channel: 'SMS', source: 'sms' },
      ],
    });
    await parent(db, { whatsapp: null, sms: null });
    await parent(db, { whatsapp: true, sms: true, extended: true });
    const chatted = await parent(db, { whatsapp: true, sms: true });
    const chat = await linkChat(db, chatted.id, { channel: 'TELEGRAM' });
    const { notices } = await runPurge(db, { season, now: SEASON_DATES.deadline, reach: REACH });
    expect(notices).toBe(4);
    const planned = (await rows(db)).map((r) => [r.channel, r.chatId, r.parentId, (r.payload as { outreach?: boolean }).outreach ?? false]);
    expect(planned.sort()).toEqual(
      [
        ['WHATSAPP', whatsapp.address, whatsapp.id, true],
        ['SMS', sms.address, sms.id, true],
        ['SMS', deadNumber.address, deadNumber.id, true],
        ['TELEGRAM', chat.chatId, chatted.id, false],
      ].sort(),
    );
    // Linked chats only, as before, when the routes to registry phones are off.
    await db.outbox.deleteMany();
    await db.application.updateMany({ data: { status: 'ACTIVE' } });
    await db.purgeRun.deleteMany();
    expect((await runPurge(db, { season, now: SEASON_DATES.deadline })).notices).toBe(1);

    // The template goes in the parent's language.
    await db.application.updateMany({ data: { status: 'ACTIVE' } });
    await db.purgeRun.deleteMany();
    await db.outbox.deleteMany();
    await runPurge(db, { season, now: SEASON_DATES.deadline, reach: { ...REACH, sms: false } });
    clock.set(almaty('2026-12-26 10:00'));
    const d = makeDispatcher({ prisma: db, dbKind: kind, senders: [await whatsappSender(fakes.graph.url)], clock });
    await d.tick();
    await d.stop();
    const sent = fakes.graph.accepted();
    expect(sent.map((m) => [m.to, m.type, m.template.name, m.template.language.code])).toEqual([
      [whatsapp.address, 'template', CAMPAIGN_TEMPLATES.STOPLIST_NOTICE.name, 'ru'],
    ]);
  });

  it('measures coverage: reached by route, reached then extended, opted out, out of reach', async () => {
    const db = prisma();
    const season = await createCampaignSeason(db);
    const inChat = await parent(db, {});
    const chat = await linkChat(db, inChat.id, { channel: 'TELEGRAM' });
    const byTemplate = await parent(db, { whatsapp: true });
    const bySms = await parent(db, { whatsapp: false, sms: true });
    const stopped = await parent(db, { whatsapp: true });
    await db.notificationOptOut.create({ data: { parentId: stopped.id, channel: 'WHATSAPP', source: 'template' } });
    await parent(db, {});
    const sent = (p: { id: number }, channel: 'TELEGRAM' | 'WHATSAPP' | 'SMS', chatId: string, outreach: boolean, at: Date) =>
      db.outbox.create({
        data: {
          dedupeKey: `s${p.id}${channel}`,
          channel,
          chatId,
          parentId: p.id,
          kind: 'REMINDER',
          seasonId: season.id,
          offsetDays: 30,
          payload: { offsetDays: 30, ...(outreach ? { outreach } : {}) },
          status: 'SENT',
          sentAt: at,
        },
      });
    await sent(inChat, 'TELEGRAM', chat.chatId, false, NOW);
    await sent(byTemplate, 'WHATSAPP', byTemplate.address, true, NOW);
    await sent(bySms, 'SMS', bySms.address, true, NOW);
    // The template's parent extends after it.
    const app = await db.application.findFirstOrThrow({ where: { parentId: byTemplate.id } });
    await db.application.update({ where: { id: app.id }, data: { validUntil: SEASON_DATES.validUntil } });
    await db.extension.create({
      data: {
        applicationId: app.id,
        seasonId: season.id,
        kind: 'EXTEND',
        oldValidUntil: OLD_VALIDITY,
        newValidUntil: SEASON_DATES.validUntil,
        channel: 'WHATSAPP',
        createdAt: almaty('2026-11-26 10:00'),
      },
    });
    expect(await campaignCoverage(db, season, REACH)).toEqual({
      audience: 5,
      reached: 3,
      byChat: 1,
      byWhatsappOutreach: 1,
      bySms: 1,
      optedOut: 1,
      // The stopped parent and the one who stated no consent: no route left.
      unreachable: 2,
      reachedThenExtended: 1,
      extended: 1,
    });
  });
});

describe('the sending days left (pure)', () => {
  it('now inside the window, then each morning up to the deadline; from the next opening at night; none after the deadline', async () => {
    const { sendingDays } = await import('../../src/campaign/outreach.ts');
    const deadline = almaty('2026-11-28 23:59:59');
    expect(sendingDays(almaty('2026-11-25 15:30'), deadline, WINDOW)).toEqual([
      almaty('2026-11-25 15:30'),
      almaty('2026-11-26 09:00'),
      almaty('2026-11-27 09:00'),
      almaty('2026-11-28 09:00'),
    ]);
    expect(sendingDays(almaty('2026-11-25 22:10'), deadline, WINDOW)).toEqual([
      almaty('2026-11-26 09:00'),
      almaty('2026-11-27 09:00'),
      almaty('2026-11-28 09:00'),
    ]);
    expect(sendingDays(almaty('2026-11-28 21:00'), deadline, WINDOW)).toEqual([]);
    expect(sendingDays(almaty('2026-11-28 10:00'), deadline, WINDOW)).toEqual([almaty('2026-11-28 10:00')]);
  });
});
