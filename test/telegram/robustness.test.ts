/**
 * Bad input and platform trouble on the Telegram channel (docs/product.md §4, §8): stale and forged buttons,
 * double presses, redelivered updates, free text and stickers where buttons are expected, unknown
 * commands, rate limits, a blocked bot, handler errors, forged webhooks, updates left unfinished.
 */
import { describe, expect, it, vi } from 'vitest';
import { BLOCKED, retryAfter } from '../../test-support/fakes/telegram-api.ts';
import { callbackQuery, myChatMember, textMessage } from '../../test-support/fakes/telegram-updates.ts';
import { TEST_DB_KINDS } from '../../test-support/db.ts';
import {
  expectEveryCallbackAnsweredOnce,
  expectNoRefusedCalls,
  MODES,
  parentUser,
  seedWorld,
  useBot,
  useSuite,
  WEBHOOK_SECRET,
  type Mode,
  type TelegramParent,
} from './harness.ts';
import type { TelegramChannelOptions } from '../../bots/telegram/channel.ts';

let nextUser = 7_100;

type World = Awaited<ReturnType<typeof seedWorld>>;

/** Language, own contact and IIN: the parent is on the main menu. */
async function link(p: TelegramParent, w: World): Promise<void> {
  await p.start();
  await p.pressKey(`language.${p.locale}`);
  await p.contact(w.parent.phone);
  await p.text(w.parent.iin);
  expect(p.last().text).toBe(p.t('menu.title'));
}

/** From the menu to question 2 (one kindergarten chosen). */
async function toQuestion2(p: TelegramParent): Promise<void> {
  await p.pressKey('menu.extend');
  await p.press(/№101/);
  await p.pressKey('q1.done', { count: 1 });
  expect(p.last().text).toContain(p.t('q2.prompt'));
}

const answers = (p: TelegramParent) => p.fake.callsOf('answerCallbackQuery').filter((c) => c.response.ok);

describe.each(TEST_DB_KINDS)('Telegram robustness (%s)', (kind) => {
  const suite = useSuite(kind);
  const startBot = useBot(suite);
  const conversation = async (chatId: number) =>
    (await suite.core().db.prisma.conversationState.findUniqueOrThrow({ where: { channel_chatId: { channel: 'TELEGRAM', chatId: String(chatId) } } }))
      .state as { seq: number; screen: string; draft: { ownership: string | null } };

  /** A parent linked and at question 2, on a bot started in `mode` with `opts`. */
  async function parentAtQuestion2(mode: Mode, opts: TelegramChannelOptions = {}) {
    const w = await seedWorld(suite.core());
    const bot = await startBot(mode, opts);
    const p = bot.parent(parentUser(nextUser++, 'ru'), 'ru');
    await link(p, w);
    await toQuestion2(p);
    return { bot, p };
  }

  describe.each(MODES)('%s mode', (mode) => {
    it('a press on an older keyboard gets the "out of date" answer; the current question, already below, is not sent again', async () => {
      const { bot, p } = await parentAtQuestion2(mode);
      const q2 = p.keyboard();
      await p.pressKey('options.ownership.STATE');
      const q2why = p.last();

      const n = p.messages().length;
      await p.pressKey('options.ownership.ANY', undefined, q2);
      expect(answers(p).at(-1)!.params.text).toBe(p.t('common.stale'));
      // Nothing new in the chat: the current question is the newest message; the answer is unchanged.
      expect(p.messages().length).toBe(n);
      expect(p.last().text).toBe(q2why.text);
      expect(bot.fake.callsOf('editMessageText').filter((c) => c.params.message_id === q2.message_id)).toHaveLength(0);
      expect((await conversation(p.chatId)).draft.ownership).toBe('STATE');

      // Forged data (undecodable) is treated the same way.
      await p.pressData('forged.data.zz', q2);
      expect(answers(p).at(-1)!.params.text).toBe(p.t('common.stale'));
      expect(p.messages().length).toBe(n);
      expect(p.last().text).toBe(q2why.text);

      expectNoRefusedCalls(bot.fake);
      expectEveryCallbackAnsweredOnce(bot.fake);
      // Each press answered once: inside the webhook's answer in webhook mode, by a request when polling.
      const all = answers(p);
      expect(all.length).toBeGreaterThanOrEqual(5);
      expect(all.filter((c) => c.viaWebhookAnswer).length).toBe(mode === 'webhook' ? all.length : 0);
    });

    it('two identical presses at once are applied once, and both are answered', async () => {
      const w = await seedWorld(suite.core());
      const bot = await startBot(mode);
      const p = bot.parent(parentUser(nextUser++, 'kk-KZ'), 'kk');
      await link(p, w);
      await toQuestion2(p);
      const q2 = p.keyboard();
      const before = await conversation(p.chatId);
      const data = p.button(p.t('options.ownership.STATE'), q2).callback_data!;

      await Promise.all([bot.send(callbackQuery(bot.fake, p.user, q2, data)), bot.send(callbackQuery(bot.fake, p.user, q2, data))]);
      const after = await conversation(p.chatId);
      expect(after.screen).toBe('q2why');
      expect(after.seq).toBe(before.seq + 1);
      const texts = answers(p)
        .slice(-2)
        .map((c) => c.params.text);
      expect(texts.sort()).toEqual([p.t('common.stale'), undefined].sort());
      expectEveryCallbackAnsweredOnce(bot.fake);
      expectNoRefusedCalls(bot.fake);
    });

    it('free text, a sticker and an unknown command at a button step: a hint, and the question (right above) is not sent again', async () => {
      const w = await seedWorld(suite.core());
      const bot = await startBot(mode);
      const p = bot.parent(parentUser(nextUser++, 'ru'), 'ru');
      await link(p, w);
      await toQuestion2(p);
      const question = p.keyboard();

      let n = p.messages().length;
      await p.text('хочу государственный');
      expect(p.textsSince(n)).toEqual([p.t('common.useButtons')]);
      n = p.messages().length;
      await p.sticker();
      expect(p.textsSince(n)).toEqual([p.t('common.useButtons')]);
      n = p.messages().length;
      await p.text('/frobnicate');
      expect(p.textsSince(n)).toEqual([p.t('common.unknownCommand')]);
      expect(p.keyboard().message_id).toBe(question.message_id);
      expect(question.editCount ?? 0).toBe(0);
      // A known command works at any point.
      await p.text('/menu');
      expect(p.last().text).toBe(p.t('menu.title'));
      expectNoRefusedCalls(bot.fake);
    });

    it('pressing a tick that is already set edits nothing: "message is not modified" is not an error', async () => {
      const w = await seedWorld(suite.core());
      const bot = await startBot(mode);
      const p = bot.parent(parentUser(nextUser++, 'ru'), 'ru');
      await link(p, w);
      await toQuestion2(p);
      await p.pressKey('options.ownership.ANY');
      await p.pressKey('options.language.RU');
      await p.pressKey('options.payment', { amount: { amount: 10_000 } });
      const q5 = p.keyboard();
      const chess = p.button(p.t('options.sections.chess'), q5).callback_data!;
      const n = p.messages().length;
      await p.pressData(chess, q5);
      const second = await p.pressData(chess, q5); // the keyboard as it was before the first edit
      expect(bot.outcomes.get(second.update_id)).toEqual(['processed']);
      expect(bot.fake.callsOf('editMessageText').at(-1)!.response).toMatchObject({ ok: false, description: expect.stringContaining('not modified') });
      expect(p.messages().length).toBe(n);
      expect(p.button(p.t('options.sections.chess')).text).toBe(`✅ 4. ${p.t('options.sections.chess')}`);
      expect(p.messages().some((m) => m.text === p.t('common.error'))).toBe(false);
      expectEveryCallbackAnsweredOnce(bot.fake);
    });

    it('stopping waits for the update in flight', async () => {
      await seedWorld(suite.core());
      const bot = await startBot(mode);
      const p = bot.parent(parentUser(nextUser++, 'ru'), 'ru');
      bot.fake.delayNext('sendMessage', 700);
      const sending = p.start();
      // The update is being handled (recorded in the inbox) while its reply is still on the wire.
      await vi.waitFor(async () => expect(await suite.core().db.prisma.inboundUpdate.count()).toBe(1), { interval: 10 });
      expect(bot.fake.callsOf('sendMessage')).toHaveLength(0);
      await bot.channel.stop();
      // The reply went out before stop() returned.
      expect(bot.fake.callsOf('sendMessage')).toHaveLength(1);
      await sending;
      expect(p.last().text).toBe(p.t('language.prompt'));
    });

    it('a 429 answer is retried after retry_after and the message arrives', async () => {
      await seedWorld(suite.core());
      const bot = await startBot(mode);
      const p = bot.parent(parentUser(nextUser++, 'ru'), 'ru');
      bot.fake.failNext('sendMessage', retryAfter(1));
      const started = Date.now();
      await p.start();
      const sends = bot.fake.callsOf('sendMessage');
      expect(sends.map((c) => c.response.ok)).toEqual([false, true]);
      expect(sends[1]!.at - sends[0]!.at).toBeGreaterThanOrEqual(950);
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
      expect(p.last().text).toBe(p.t('language.prompt'));
      expect([...bot.outcomes.values()].flat()).toEqual(['processed']);
    });

    it('a blocked bot (403) and a kicked bot mark the chat link unreachable; unblocking makes it reachable', async () => {
      const w = await seedWorld(suite.core());
      const bot = await startBot(mode);
      const p = bot.parent(parentUser(nextUser++, 'ru'), 'ru');
      await link(p, w);
      const db = suite.core().db.prisma;
      const linkRow = () => db.chatLink.findFirstOrThrow({ where: { channel: 'TELEGRAM', chatId: String(p.chatId) } });
      expect((await linkRow()).unreachableAt).toBeNull();

      bot.fake.block(p.chatId);
      const u = await p.text('/menu');
      expect(bot.outcomes.get(u.update_id)).toEqual(['unreachable']);
      expect(bot.fake.callsOf('sendMessage').at(-1)!.response).toMatchObject({ ok: false, error_code: 403, description: BLOCKED.description });
      expect((await linkRow()).unreachableAt).not.toBeNull();

      // The parent unblocks the bot: reachable again; then kicks it: unreachable.
      bot.fake.unblock(p.chatId);
      await bot.send(myChatMember(bot.fake, p.user, 'member'));
      expect((await linkRow()).unreachableAt).toBeNull();
      await bot.send(myChatMember(bot.fake, p.user, 'kicked'));
      expect((await linkRow()).unreachableAt).not.toBeNull();
    });

    it('a redelivered update is processed once', async () => {
      const w = await seedWorld(suite.core());
      let bot = await startBot(mode);
      let p = bot.parent(parentUser(nextUser++, 'ru'), 'ru');
      await link(p, w);
      const update = await p.text('/help');
      const count = p.messages().length;

      if (mode === 'webhook') {
        // Telegram resends an update it believes was not acknowledged.
        expect(await bot.fake.deliver(update)).toBe(200);
      } else {
        // The process died before confirming the update; after the restart getUpdates returns it again.
        await bot.channel.stop();
        bot.fake.redeliver(update);
        bot = await startBot(mode, { fake: bot.fake });
        p = bot.parent(p.user, 'ru');
        await bot.fake.waitFor(() => bot.outcomes.has(update.update_id));
      }
      await bot.channel.idle();
      expect(bot.outcomes.get(update.update_id)?.at(-1)).toBe('duplicate');
      expect(p.messages().length).toBe(count);
      expect(await suite.core().db.prisma.inboundUpdate.count({ where: { externalId: String(update.update_id) } })).toBe(1);
    });

    it('an error while handling is logged, the parent is told to try again, and the update is acknowledged', async () => {
      await seedWorld(suite.core());
      const bot = await startBot(mode);
      const p = bot.parent(parentUser(nextUser++, 'ru'), 'ru');
      bot.fake.failNext('sendMessage', { error_code: 400, description: 'Bad Request: something unexpected' });
      const u = await p.start();
      expect(bot.outcomes.get(u.update_id)).toEqual(['failed']);
      expect(p.last().text).toBe(p.t('common.error'));
      // The conversation itself went on: the next update works.
      await p.start();
      expect(p.last().text).toBe(p.t('language.prompt'));
    });

    it('an update left unfinished by a crashed run is handled when the channel starts', async () => {
      await seedWorld(suite.core());
      const user = parentUser(nextUser++, 'ru');
      const update = { update_id: 777_001, ...textMessage(user, '/start') };
      await suite.core().db.prisma.inboundUpdate.create({
        data: { channel: 'TELEGRAM', externalId: '777001', chatId: String(user.id), payload: update as never, receivedAt: new Date(Date.now() - 10 * 60_000) },
      });
      const bot = await startBot(mode);
      const p = bot.parent(user, 'ru');
      expect(bot.outcomes.get(777_001)).toEqual(['processed']);
      expect(p.last().text).toBe(p.t('language.prompt'));
      const row = await suite.core().db.prisma.inboundUpdate.findFirstOrThrow({ where: { externalId: '777001' } });
      expect(row.processedAt).not.toBeNull();
      expect(row.payload).toBeNull();
    });
  });

  it('webhook: a forged or missing secret token is refused with 401 and nothing is processed', async () => {
    await seedWorld(suite.core());
    const bot = await startBot('webhook');
    expect(bot.fake.webhook).toMatchObject({ url: `http://127.0.0.1:${suite.port()}/webhooks/telegram`, secret: WEBHOOK_SECRET });
    const user = parentUser(nextUser++, 'ru');
    expect(await bot.fake.deliver(textMessage(user, '/start'), { secret: 'forged' })).toBe(401);
    expect(await bot.fake.deliver(textMessage(user, '/start'), { secret: null })).toBe(401);
    expect(await bot.fake.deliver(textMessage(user, '/start'), { secret: `${WEBHOOK_SECRET}x` })).toBe(401);
    expect(bot.fake.callsOf('sendMessage')).toHaveLength(0);
    expect(await suite.core().db.prisma.inboundUpdate.count()).toBe(0);
    expect(await suite.core().db.prisma.conversationState.count()).toBe(0);

    // Not an update at all, with the right secret: 400, nothing processed.
    const res = await fetch(`http://127.0.0.1:${suite.port()}/webhooks/telegram`, {
      method: 'POST',
      headers: { 'x-telegram-bot-api-secret-token': WEBHOOK_SECRET, 'content-type': 'application/json' },
      body: '{"hello":1}',
    });
    expect(res.status).toBe(400);
    expect(await suite.core().db.prisma.inboundUpdate.count()).toBe(0);

    // The health endpoint lives on the same server.
    const health = await fetch(`http://127.0.0.1:${suite.port()}/healthz`);
    expect(health.status).toBe(200);
  });

  /** Every conversation step waits `ms` first (a slow database); returns the undo. */
  function slowSteps(ms: number): () => void {
    const runtime = suite.core().runtime;
    const handle = runtime.handle.bind(runtime);
    runtime.handle = async (...args) => {
      await new Promise((r) => setTimeout(r, ms));
      return handle(...args);
    };
    return () => {
      delete (runtime as { handle?: unknown }).handle;
    };
  }

  it('webhook: a slow step has the spinner answered empty at the deadline by a request, its notice sent as a message', async () => {
    const { bot, p } = await parentAtQuestion2('webhook', { answerDeadlineMs: 100 });
    const q2 = p.keyboard();
    await p.pressKey('options.ownership.STATE');
    const undo = slowSteps(400);
    try {
      await p.pressKey('options.ownership.ANY', undefined, q2);
    } finally {
      undo();
    }
    const last = answers(p).at(-1)!;
    expect(last.params.text).toBeUndefined();
    expect(last.viaWebhookAnswer).toBeUndefined();
    expect(p.last().text).toBe(p.t('common.stale'));
    expectEveryCallbackAnsweredOnce(bot.fake);
  });

  it('webhook: when the webhook answers before a slow update is finished, the press is answered by a request', async () => {
    const { bot, p } = await parentAtQuestion2('webhook', { webhookAnswerWithinMs: 100 });
    const answered = answers(p).length;
    const undo = slowSteps(400);
    try {
      await p.pressKey('options.ownership.STATE');
    } finally {
      undo();
    }
    const all = answers(p);
    expect(all.length).toBe(answered + 1);
    expect(all.at(-1)!.viaWebhookAnswer).toBeUndefined();
    expect((await conversation(p.chatId)).screen).toBe('q2why');
    expectEveryCallbackAnsweredOnce(bot.fake);
  });

  it('webhook: while stopping, updates are refused with 503 so Telegram delivers them again later', async () => {
    await seedWorld(suite.core());
    const bot = await startBot('webhook');
    await bot.channel.stop();
    expect(await bot.fake.deliver(textMessage(parentUser(nextUser++, 'ru'), '/start'))).toBe(503);
    expect(bot.fake.callsOf('sendMessage')).toHaveLength(0);
  });

  it('polling: the webhook is deleted before polling, pending updates kept', async () => {
    await seedWorld(suite.core());
    const bot = await startBot('polling');
    expect(bot.fake.callsOf('deleteWebhook')[0]!.params).toMatchObject({ drop_pending_updates: false });
    await bot.fake.waitFor(() => bot.fake.callsOf('getUpdates').length > 0);
    expect(bot.fake.callsOf('getUpdates')[0]!.params).toMatchObject({ allowed_updates: ['message', 'callback_query', 'my_chat_member'] });
  });
});
