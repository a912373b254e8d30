import { describe, expect, it } from 'vitest';
import { STOPLIST_NOTICE } from '../../src/campaign/outbox-kinds.ts';
import { planReminders } from '../../src/campaign/planner.ts';
import type { DispatcherSettings } from '../../src/campaign/outbox/dispatcher.ts';
import { takeSlots, ensureBucket } from '../../src/campaign/outbox/rate-limit.ts';
import { claimDue } from '../../src/campaign/outbox/claim.ts';
import { delayedByTier, TIER_CAP } from '../../src/campaign/outbox/tier-cap.ts';
import { encodeAction } from '../../src/conversation/core/action-codec.ts';
import { TEST_DB_KINDS } from '../../test-support/db.ts';
import { retryAfter } from '../../test-support/fakes/telegram-api.ts';
import { useDispatchDatabase, useFakePlatforms } from './fixtures/dispatch-test.ts';
import { almaty, createCampaignSeason, linkChat, parentWith } from './support.ts';
import { makeDispatcher, sharedTranslator, telegramSender, whatsappSender } from '../../test-support/dispatch-harness.ts';

const NOW = almaty('2026-12-20 12:00');
const HOUR = 3_600_000;
const EXTEND = encodeAction(0, { type: 'command', name: 'extend' });

const fakes = useFakePlatforms();

let chatSeq = 0;
const tgChat = () => String(5_000_000 + ++chatSeq);
const waChat = () => `7701${String(1_000_000 + ++chatSeq)}`;

describe.each(TEST_DB_KINDS)('outbox dispatcher (%s)', (kind) => {
  const { prisma, clock } = useDispatchDatabase(kind, NOW);

  async function dispatcher(settings: Partial<DispatcherSettings> = {}) {
    return makeDispatcher({
      prisma: prisma(),
      dbKind: kind,
      senders: [await telegramSender(fakes.tg.apiRoot), await whatsappSender(fakes.graph.url)],
      settings,
      clock,
    });
  }

  /** A season, and `n` parents needing extension, each linked on `channel`; reminders planned for 7 days before. */
  async function planned(channel: 'TELEGRAM' | 'WHATSAPP', n = 1, link: { locale?: 'kk' | 'ru'; lastInboundAt?: Date | null } = {}) {
    const db = prisma();
    const season = await createCampaignSeason(db);
    const chats = [];
    for (let i = 0; i < n; i++) {
      const { parent, applications } = await parentWith(db, { needing: 2 });
      const l = await linkChat(db, parent.id, { channel, chatId: channel === 'TELEGRAM' ? tgChat() : waChat(), locale: link.locale ?? 'ru' });
      if (link.lastInboundAt) await db.chatLink.update({ where: { id: l.id }, data: { lastInboundAt: link.lastInboundAt } });
      chats.push({ parent, applications, chatId: l.chatId });
    }
    expect(await planReminders(db, { season, offsetDays: 7, now: NOW })).toBe(n);
    return { season, chats };
  }

  const rows = () => prisma().outbox.findMany({ orderBy: { id: 'asc' } });

  it('sends a reminder rendered like a screen with the Extend button → SENT with the message id', async () => {
    const { chats } = await planned('TELEGRAM', 1, { locale: 'kk' });
    const stats = await (await dispatcher()).tick();
    expect(stats.sent).toBe(1);
    const [row] = await rows();
    const sent = fakes.tg.callsOf('sendMessage');
    expect(sent).toHaveLength(1);
    const message = sent[0]!;
    expect(message.params.chat_id).toBe(Number(chats[0]!.chatId));
    const tr = await sharedTranslator();
    expect(message.params.text).toContain(tr.t('kk', 'campaign.reminder.howTo'));
    expect(message.params.reply_markup.inline_keyboard.flat().map((b: { callback_data: string }) => b.callback_data)).toEqual([EXTEND]);
    expect(row).toMatchObject({
      status: 'SENT',
      attempts: 1,
      externalId: String((message.response as { result: { message_id: number } }).result.message_id),
      viaTemplate: false,
    });
    expect(row!.sentAt).toEqual(NOW);
  });

  it("a restart with the same instance id sends its crashed predecessor's claims again, the crashed attempt counted", async () => {
    await planned('TELEGRAM', 2);
    // The predecessor claimed both rows and died: one send had gone out, one had not.
    const claimed = await claimDue(prisma(), { channel: 'TELEGRAM', limit: 10, now: NOW, instanceId: 'test-dispatcher', recipientGapMs: 0 });
    expect(claimed.map((r) => r.attempts)).toEqual([1, 1]);
    const stats = await (await dispatcher()).tick();
    expect(stats.sent).toBe(2);
    expect((await rows()).map((r) => ({ status: r.status, attempts: r.attempts }))).toEqual([
      { status: 'SENT', attempts: 2 },
      { status: 'SENT', attempts: 2 },
    ]);
  });

  it('a row whose payload does not fit its kind is settled alone, in words; the rest of the batch goes', async () => {
    await planned('TELEGRAM', 1);
    const db = prisma();
    // Two more linked chats, one broken row each (a broken row's chat reaches compose like any other).
    const broken: [string, Record<string, unknown>][] = [
      [STOPLIST_NOTICE, { queueNumbers: 'all' }],
      ['SUPPORT_REPLY', { threadId: 'x' }],
    ];
    for (const [i, [kind, payload]] of broken.entries()) {
      const { parent } = await parentWith(db, { needing: 1 });
      const l = await linkChat(db, parent.id, { channel: 'TELEGRAM', chatId: tgChat(), locale: 'ru' });
      await db.outbox.create({
        data: { dedupeKey: `broken-${i}`, channel: 'TELEGRAM', chatId: l.chatId, parentId: parent.id, kind, payload: payload as never, nextAttemptAt: NOW },
      });
    }
    await (await dispatcher()).tick();
    expect((await rows()).map((r) => [r.kind, r.status, r.error])).toEqual([
      ['REMINDER', 'SENT', null],
      [STOPLIST_NOTICE, 'FAILED', 'stop-list notice payload is malformed'],
      ['SUPPORT_REPLY', 'CANCELLED', 'support thread gone'],
    ]);
  });

  it('429 with retry_after → retried no sooner than asked, then SENT', async () => {
    await planned('TELEGRAM');
    fakes.tg.failNext('sendMessage', retryAfter(30));
    const d = await dispatcher();
    expect((await d.tick()).retried).toBe(1);
    let [row] = await rows();
    expect(row).toMatchObject({ status: 'PENDING', attempts: 1 });
    expect(row!.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(NOW.getTime() + 30_000);
    clock.advance(29_000);
    expect((await d.tick()).sent).toBe(0);
    clock.advance(1_000 + 60_000);
    expect((await d.tick()).sent).toBe(1);
    [row] = await rows();
    expect(row).toMatchObject({ status: 'SENT', attempts: 2 });
    expect(fakes.tg.callsOf('sendMessage').map((c) => c.response.ok)).toEqual([false, true]);
  });

  it('5xx → exponential backoff, FAILED after maxAttempts', async () => {
    await planned('TELEGRAM');
    fakes.tg.failNext('sendMessage', { error_code: 502, description: 'Bad Gateway' }, 10);
    const d = await dispatcher({ maxAttempts: 3, backoff: { baseMs: 1000, maxMs: HOUR } });
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      await d.tick();
      const [row] = await rows();
      if (row!.status === 'PENDING') delays.push(row!.nextAttemptAt.getTime() - clock.now().getTime());
      clock.advance(HOUR);
    }
    const [row] = await rows();
    expect(row).toMatchObject({ status: 'FAILED', attempts: 3 });
    expect(row!.error).toContain('502');
    expect(fakes.tg.callsOf('sendMessage')).toHaveLength(3);
    // 1 s then 2 s, each jittered into [50 %, 100 %].
    expect(delays[0]).toBeGreaterThanOrEqual(500);
    expect(delays[0]).toBeLessThanOrEqual(1000);
    expect(delays[1]).toBeGreaterThanOrEqual(1000);
    expect(delays[1]).toBeLessThanOrEqual(2000);
  });

  it('403 blocked → chat unreachable, the row FAILED, its other waiting rows CANCELLED', async () => {
    const { chats } = await planned('TELEGRAM', 2);
    const blocked = chats[0]!;
    await prisma().outbox.create({
      data: {
        dedupeKey: 'notice-later',
        channel: 'TELEGRAM',
        chatId: blocked.chatId,
        parentId: blocked.parent.id,
        kind: STOPLIST_NOTICE,
        payload: { purgeRunId: 1, queueNumbers: [123], stopListedAt: NOW.toISOString() },
        nextAttemptAt: new Date(NOW.getTime() + HOUR),
      },
    });
    fakes.tg.block(Number(blocked.chatId));
    try {
      await (await dispatcher()).tick();
    } finally {
      fakes.tg.unblock(Number(blocked.chatId));
    }
    const all = await rows();
    const mine = all.filter((r) => r.chatId === blocked.chatId);
    expect(mine.map((r) => [r.kind, r.status, r.error])).toEqual([
      ['REMINDER', 'FAILED', 'unreachable'],
      [STOPLIST_NOTICE, 'CANCELLED', 'unreachable'],
    ]);
    expect(all.find((r) => r.chatId === chats[1]!.chatId)!.status).toBe('SENT');
    const link = await prisma().chatLink.findFirstOrThrow({ where: { chatId: blocked.chatId } });
    expect(link.unreachableAt).toEqual(NOW);
  });

  it('WhatsApp: inside the 24 h window a free-form interactive message, outside the template in kk / ru', async () => {
    const inside = await planned('WHATSAPP', 1, { locale: 'ru', lastInboundAt: new Date(NOW.getTime() - 2 * HOUR) });
    await (await dispatcher()).tick();
    const outsideKk = await parentWith(prisma(), { needing: 1 });
    const kkChat = await linkChat(prisma(), outsideKk.parent.id, { channel: 'WHATSAPP', chatId: waChat(), locale: 'kk' });
    const outsideRu = await parentWith(prisma(), { needing: 3 });
    const ruChat = await linkChat(prisma(), outsideRu.parent.id, { channel: 'WHATSAPP', chatId: waChat(), locale: 'ru' });
    await prisma().chatLink.update({ where: { id: ruChat.id }, data: { lastInboundAt: new Date(NOW.getTime() - 30 * HOUR) } });
    await planReminders(prisma(), { season: inside.season, offsetDays: 3, now: NOW });
    clock.advance(10_000);
    await (await dispatcher()).tick();

    expect(fakes.graph.rejected()).toEqual([]);
    // Both reminders (7 and 3 days before) of the parent who wrote an hour ago: free-form.
    const free = fakes.graph.accepted(inside.chats[0]!.chatId);
    expect(free).toHaveLength(2);
    for (const m of free) expect(m).toMatchObject({ type: 'interactive', interactive: { type: 'button' } });
    expect(free[0].interactive.action.buttons.map((b: { reply: { id: string } }) => b.reply.id)).toEqual([EXTEND]);
    const [kk] = fakes.graph.accepted(kkChat.chatId);
    expect(kk).toMatchObject({ type: 'template', template: { name: 'kg_queue_extension_reminder', language: { code: 'kk' } } });
    const [ru] = fakes.graph.accepted(ruChat.chatId);
    expect(ru).toMatchObject({ type: 'template', template: { language: { code: 'ru' } } });
    const body = ru.template.components.find((c: { type: string }) => c.type === 'body');
    expect(body.parameters.map((p: { text: string }) => p.text)).toEqual(['3', '25.12.2026 23:59']);
    const button = ru.template.components.find((c: { type: string }) => c.type === 'button');
    expect(button.parameters[0].payload).toBe(EXTEND);
    const sent = (await rows()).filter((r) => r.status === 'SENT');
    expect(sent.map((r) => r.viaTemplate).sort()).toEqual([false, false, true, true]);
    expect(sent.every((r) => r.externalId?.startsWith('wamid.'))).toBe(true);
  });

  it('WhatsApp 131047 (window closed after all) → resent as the template', async () => {
    const { chats } = await planned('WHATSAPP', 1, { lastInboundAt: new Date(NOW.getTime() - HOUR) });
    fakes.graph.fail({ code: 131047, to: chats[0]!.chatId });
    const d = await dispatcher();
    await d.tick();
    await d.tick();
    const types = fakes.graph.calls.map((c) => [c.body.type, c.faultCode]);
    expect(types).toEqual([
      ['interactive', 131047],
      ['template', null],
    ]);
    const [row] = await rows();
    expect(row).toMatchObject({ status: 'SENT', viaTemplate: true, attempts: 2 });
    const link = await prisma().chatLink.findFirstOrThrow({ where: { chatId: chats[0]!.chatId } });
    expect(link.unreachableAt).toBeNull();
  });

  it('WhatsApp 131026 undeliverable → unreachable', async () => {
    const { chats } = await planned('WHATSAPP');
    fakes.graph.fail({ code: 131026 });
    await (await dispatcher()).tick();
    const [row] = await rows();
    expect(row).toMatchObject({ status: 'FAILED', error: 'unreachable', attempts: 1 });
    expect((await prisma().chatLink.findFirstOrThrow({ where: { chatId: chats[0]!.chatId } })).unreachableAt).toEqual(NOW);
  });

  it.each([132000, 190])('WhatsApp %i → FAILED after one attempt, an alert, and no storm: the channel rests', async (code) => {
    await planned('WHATSAPP', 3);
    fakes.graph.fail({ code, times: 100, httpStatus: code === 190 ? 401 : 400 });
    const errors: unknown[] = [];
    const logger = (await import('../../src/log.ts')).createLogger('silent');
    logger.error = ((o: unknown) => void errors.push(o)) as typeof logger.error;
    // One lane: the first refusal is seen before the next send starts.
    const d = makeDispatcher({ prisma: prisma(), dbKind: kind, senders: [await whatsappSender(fakes.graph.url)], clock, logger, settings: { lanes: 1 } });
    await d.tick();
    clock.advance(60_000);
    await d.tick();
    const all = await rows();
    expect(all.filter((r) => r.status === 'FAILED')).toHaveLength(1);
    expect(all.find((r) => r.status === 'FAILED')).toMatchObject({ attempts: 1 });
    expect(all.filter((r) => r.status === 'PENDING' && r.attempts === 0)).toHaveLength(2);
    expect(fakes.graph.calls).toHaveLength(1);
    expect(errors).toEqual([expect.objectContaining({ alert: true })]);
  });

  it('a parent who extended between planning and sending gets nothing: CANCELLED', async () => {
    const { chats } = await planned('TELEGRAM', 2);
    const extended = chats[0]!;
    await prisma().application.updateMany({ where: { parentId: extended.parent.id }, data: { validUntil: almaty('2027-12-31 23:59:59') } });
    await (await dispatcher()).tick();
    const all = await rows();
    expect(all.find((r) => r.chatId === extended.chatId)).toMatchObject({ status: 'CANCELLED' });
    expect(all.find((r) => r.chatId === chats[1]!.chatId)).toMatchObject({ status: 'SENT' });
    expect(fakes.tg.callsOf('sendMessage').map((c) => String(c.params.chat_id))).toEqual([chats[1]!.chatId]);
  });

  /** A parent with two stop-listed applications and a pending notice naming both. */
  async function stopListedWithNotice() {
    const { parent, applications } = await parentWith(prisma(), { needing: 2 });
    await prisma().application.updateMany({ where: { parentId: parent.id }, data: { status: 'STOP_LISTED', stopListedAt: NOW } });
    const chat = await linkChat(prisma(), parent.id, { channel: 'TELEGRAM', chatId: tgChat() });
    const queueNumbers = applications.map((a) => a.queueNumber);
    await prisma().outbox.create({
      data: {
        dedupeKey: `n-${parent.id}`,
        channel: 'TELEGRAM',
        chatId: chat.chatId,
        parentId: parent.id,
        kind: STOPLIST_NOTICE,
        payload: { purgeRunId: 1, queueNumbers, stopListedAt: NOW.toISOString() },
        nextAttemptAt: NOW,
      },
    });
    return { applications, queueNumbers };
  }

  it('stop-list notices go with the Restore button', async () => {
    const { queueNumbers } = await stopListedWithNotice();
    await (await dispatcher()).tick();
    const [call] = fakes.tg.callsOf('sendMessage');
    for (const q of queueNumbers) expect(call!.params.text).toContain(String(q));
    expect(call!.params.reply_markup.inline_keyboard.flat()[0].callback_data).toBe(encodeAction(0, { type: 'command', name: 'restore' }));
  });

  it('a notice names only the applications still on the stop-list, and is cancelled when none is', async () => {
    const { applications, queueNumbers } = await stopListedWithNotice();
    await prisma().application.update({ where: { id: applications[0]!.id }, data: { status: 'ACTIVE' } });
    await (await dispatcher()).tick();
    const [call] = fakes.tg.callsOf('sendMessage');
    expect(call!.params.text).toContain(String(queueNumbers[1]));
    expect(call!.params.text).not.toContain(String(queueNumbers[0]));

    const other = await stopListedWithNotice();
    await prisma().application.updateMany({ where: { id: { in: other.applications.map((a) => a.id) } }, data: { status: 'ACTIVE' } });
    await (await dispatcher()).tick();
    expect(fakes.tg.callsOf('sendMessage')).toHaveLength(1);
    expect(await prisma().outbox.findUniqueOrThrow({ where: { dedupeKey: `n-${other.applications[0]!.parentId}` } })).toMatchObject({ status: 'CANCELLED' });
  });

  it('the tier cap: no more distinct users by template in 24 h than the tier; the rest deferred, then sent', async () => {
    const { chats } = await planned('WHATSAPP', 5);
    const d = await dispatcher({ whatsappTier: 3 });
    await d.tick();
    expect(fakes.graph.accepted().filter((m) => m.type === 'template')).toHaveLength(3);
    const waiting = (await rows()).filter((r) => r.status === 'PENDING');
    expect(waiting).toHaveLength(2);
    expect(waiting.every((r) => r.error === TIER_CAP && r.attempts === 0)).toBe(true);
    expect(waiting.every((r) => r.nextAttemptAt.getTime() >= NOW.getTime() + 24 * HOUR)).toBe(true);
    expect(await delayedByTier(prisma(), clock.now())).toBe(2);
    clock.advance(HOUR);
    await d.tick();
    expect(fakes.graph.accepted()).toHaveLength(3);
    clock.advance(23 * HOUR + 1000);
    await d.tick();
    expect(fakes.graph.accepted()).toHaveLength(5);
    expect(new Set(fakes.graph.accepted().map((m) => m.to))).toEqual(new Set(chats.map((c) => c.chatId)));
    expect(await delayedByTier(prisma(), clock.now())).toBe(0);
  });

  it('rate slots: spaced 1/rate apart across takers, none more than the horizon ahead', async () => {
    const db = prisma();
    await ensureBucket(db, 'T', NOW);
    const spec = { key: 'T', ratePerSecond: 10, horizonMs: 1000 };
    const a = await takeSlots(db, spec, 4, NOW);
    const b = await takeSlots(db, spec, 20, NOW);
    const all = [...a.slots, ...b.slots];
    expect(all.length).toBe(11); // 1 token in the bucket + 10 within the next second
    expect(all[0]).toBe(NOW.getTime());
    for (let i = 1; i < all.length; i++) expect(all[i]! - all[i - 1]!).toBe(100);
    expect((await takeSlots(db, spec, 5, NOW)).slots).toEqual([]);
    const later = await takeSlots(db, spec, 5, new Date(NOW.getTime() + 500));
    expect(later.slots[0]).toBe(NOW.getTime() + 1100);
  });
});
