/**
 * Issue 17 on Telegram, end to end through the webhook and the fake Bot API: a parent writes to
 * the education department from the menu (text and a photo downloaded from the Bot API's file
 * endpoint), keeps writing from the menu while the conversation is open, gets the operator's reply
 * and the close with the menu back through the outbox; abuse is refused politely (too long, too
 * fast, too big, the wrong type); a redelivered update is recorded once; a parent who is not
 * identified can write too.
 */
import { describe, expect, it } from 'vitest';
import type { Locale } from '../../src/conversation/core/views.ts';
import { SUPPORT_TEXT_MAX } from '../../src/conversation/core/support-rules.ts';
import { closeThread, replyToThread, SUPPORT_MESSAGES_PER_MINUTE } from '../../src/services/support.ts';
import { TEST_DB_KINDS } from '../../test-support/db.ts';
import { createOperator } from '../helpers/fixtures.ts';
import { DOCX, JPEG, PDF } from '../helpers/files.ts';
import { makeDispatcher, telegramSender } from '../../test-support/dispatch-harness.ts';
import { documentMessage, photoMessage, textMessage } from '../../test-support/fakes/telegram-updates.ts';
import { expectNoRefusedCalls, parentUser, seedWorld, useBot, useSuite, type Bot, type Suite, type TelegramParent } from './harness.ts';

let nextUser = 17_100;

async function linkedParent(suite: Suite, bot: Bot, locale: Locale): Promise<TelegramParent> {
  const w = await seedWorld(suite.core());
  const p = bot.parent(parentUser(nextUser++, locale), locale);
  await p.start();
  await p.pressKey(`language.${locale}`);
  await p.contact(w.parent.phone);
  await p.text(w.parent.iin);
  expect(p.last().text).toContain(p.t('menu.title'));
  return p;
}

const thread = (suite: Suite, chatId: number) =>
  suite.core().db.prisma.supportThread.findFirst({
    where: { channel: 'TELEGRAM', chatId: String(chatId) },
    include: { messages: { orderBy: { id: 'asc' } } },
    orderBy: { id: 'desc' },
  });

async function deliverOutbox(suite: Suite, bot: Bot) {
  const dispatcher = makeDispatcher({
    prisma: suite.core().db.prisma,
    dbKind: suite.db().kind,
    senders: [await telegramSender(bot.fake.apiRoot)],
    // The reply and the close follow each other within the second Telegram's pacing keeps between two messages to a chat.
    settings: { recipientGapMs: { TELEGRAM: 0 } },
  });
  return dispatcher.tick();
}

describe.each(TEST_DB_KINDS)('Telegram: writing to the education department (%s)', (kind) => {
  const suite = useSuite(kind);
  const startBot = useBot(suite);

  describe.each(['kk', 'ru'] as const)('%s', (locale) => {
    it('text and a photo reach the department; the reply and the close come back through the outbox; the menu returns', async () => {
      const bot = await startBot('webhook');
      const p = await linkedParent(suite, bot, locale);
      const db = suite.core().db.prisma;

      await p.pressKey('menu.write');
      expect(p.last().text).toContain(p.t('support.prompt', { maxMb: 5 }));
      await p.text('Өтінішім стоп-параққа түсті, бірақ ұзартқанмын <b>№ 1377</b>');
      expect(p.last().text).toContain(p.t('support.received'));
      expect(p.last().text).toMatch(/09:00/);
      const photo = bot.fake.addFile(JPEG, { name: 'photo.jpg', mime: 'image/jpeg' });
      const small = bot.fake.addFile(JPEG.subarray(0, 10));
      await bot.send(photoMessage(p.user, [small, photo], 'Анықтама / Справка'));
      expect(p.last().text).toBe(p.t('support.added'));
      // The largest size was fetched, from the file endpoint, with the token in the path only.
      expect(bot.fake.calls.filter((c) => c.method === 'getFile').map((c) => c.params.file_id)).toEqual([photo.file_id]);

      // /menu leaves the conversation open: free text on the menu still goes to the department.
      await p.text('/menu');
      expect(p.last().text).toContain(p.t('support.openNote'));
      await p.text('Тағы бір сұрақ / Ещё вопрос');
      expect(p.last().text).toBe(p.t('support.added'));

      const t = (await thread(suite, p.chatId))!;
      expect(t).toMatchObject({ status: 'OPEN', locale, parentId: expect.any(Number) });
      expect(t.waitingSince).not.toBeNull();
      expect(t.messages.map((m) => [m.author, m.text, m.fileMime])).toEqual([
        ['PARENT', 'Өтінішім стоп-параққа түсті, бірақ ұзартқанмын <b>№ 1377</b>', null],
        ['PARENT', 'Анықтама / Справка', 'image/jpeg'],
        ['PARENT', 'Тағы бір сұрақ / Ещё вопрос', null],
      ]);
      expect(Buffer.from(t.messages[1]!.fileData!)).toEqual(JPEG);

      const operator = await createOperator(db, 'OPERATOR');
      const reply = await replyToThread(db, {
        threadId: t.id,
        operatorId: operator.id,
        text: 'Заявление восстановлено.',
        replyKey: 'k1',
        seenMessageId: 0,
        force: false,
        now: new Date(),
      });
      expect(reply.status).toBe('sent');
      expect((await deliverOutbox(suite, bot)).sent).toBe(1);
      expect(p.last().text).toBe(`${p.t('support.replyTitle')}\n\nЗаявление восстановлено.`);
      expect(
        p
          .keyboard()
          .inline!.flat()
          .map((b) => b.text),
      ).toEqual([p.t('support.replyButton'), p.t('common.menu')]);

      await closeThread(db, t.id, operator.id, new Date());
      expect((await deliverOutbox(suite, bot)).sent).toBe(1);
      expect(p.last().text).toBe(p.t('support.closed'));
      expect(
        p
          .keyboard()
          .inline!.flat()
          .map((b) => b.text),
      ).toContain(p.t('menu.write'));
      // Closed: free text on the menu is no longer a message to the department.
      await p.text('Рахмет / Спасибо');
      expect(p.last().text).toBe(p.t('common.useButtons'));
      expect((await thread(suite, p.chatId))!.messages).toHaveLength(4);
      expectNoRefusedCalls(bot.fake);
    });

    it('refuses politely: too long, too fast, too big, the wrong type; a redelivered update is kept once', async () => {
      const bot = await startBot('webhook');
      const p = await linkedParent(suite, bot, locale);
      await p.text('/write');

      await p.text('я'.repeat(SUPPORT_TEXT_MAX + 1));
      expect(p.last().text).toBe(p.t('support.tooLong', { max: SUPPORT_TEXT_MAX }));
      expect(await thread(suite, p.chatId)).toBeNull();

      const big = bot.fake.addFile(PDF, { name: 'scan.pdf', mime: 'application/pdf', declaredSize: 6 * 1024 * 1024 });
      await bot.send(documentMessage(p.user, big, 'scan.pdf', 'application/pdf'));
      expect(p.last().text).toBe(p.t('support.fileTooBig', { maxMb: 5 }));
      const docx = bot.fake.addFile(DOCX, { name: 'ariza.docx' });
      // Named and declared as a PDF: the bytes decide.
      await bot.send(documentMessage(p.user, docx, 'ariza.pdf', 'application/pdf'));
      expect(p.last().text).toBe(p.t('support.fileType'));
      const pdf = bot.fake.addFile(PDF, { name: 'ariza.pdf', mime: 'application/pdf' });
      await bot.send(documentMessage(p.user, pdf, 'ariza.pdf', 'application/pdf'));
      expect(p.last().text).toContain(p.t('support.received'));

      // The same update delivered twice (Telegram retries a webhook that timed out).
      const update = await bot.send(textMessage(p.user, 'Бір рет / Один раз'));
      expect(await bot.fake.deliver(update)).toBe(200);
      await expect.poll(() => bot.outcomes.get(update.update_id)).toEqual(['processed', 'duplicate']);

      const before = p.messages().length;
      for (let i = 0; i < SUPPORT_MESSAGES_PER_MINUTE + 3; i++) await p.text(`спам ${i}`);
      const replies = p.textsSince(before);
      // Recorded up to the minute's allowance, then told once, then quietly refused.
      expect(replies.filter((r) => r === p.t('support.slowDown'))).toHaveLength(1);
      const t = (await thread(suite, p.chatId))!;
      expect(t.messages.filter((m) => m.author === 'PARENT')).toHaveLength(SUPPORT_MESSAGES_PER_MINUTE);
      expect(t.messages.filter((m) => m.text === 'Бір рет / Один раз')).toHaveLength(1);
      expect(t.messages[0]).toMatchObject({ fileMime: 'application/pdf', fileName: 'ariza.pdf' });
    });
  });

  it('a parent who is not identified writes from the help screen; the thread has no parent', async () => {
    const bot = await startBot('polling');
    const p = bot.parent(parentUser(nextUser++, 'ru'), 'ru');
    await p.start();
    await p.pressKey('language.ru');
    await p.text('/help');
    await p.pressKey('menu.write');
    await p.text('Мой ИИН не находится в очереди');
    expect(p.last().text).toContain(p.t('support.received'));
    await p.pressKey('common.back', undefined, p.keyboard());
    const t = (await thread(suite, p.chatId))!;
    expect(t).toMatchObject({ parentId: null, locale: 'ru', status: 'OPEN' });
    expect(t.messages.map((m) => m.text)).toEqual(['Мой ИИН не находится в очереди']);
    // Identified after writing: the next message files the thread under the parent.
    const w = await seedWorld(suite.core());
    await p.contact(w.parent.phone);
    await p.text(w.parent.iin);
    await p.text('Теперь вошла');
    expect(await thread(suite, p.chatId)).toMatchObject({ parentId: w.parent.id, status: 'OPEN' });
  });
});
