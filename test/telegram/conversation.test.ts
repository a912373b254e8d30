/**
 * The whole Telegram conversation, end to end over HTTP against the fake Bot API: in kk and ru,
 * in long-polling and webhook mode, on the embedded database and on PostgreSQL.
 */
import { describe, expect, it } from 'vitest';
import { ADVERTISED_COMMANDS } from '../../src/conversation/core/io.ts';
import { TEST_DB_KINDS } from '../../test-support/db.ts';
import {
  expectCallbackDataWithinLimit,
  expectEveryCallbackAnsweredOnce,
  expectNoRefusedCalls,
  MODES,
  parentUser,
  seedWorld,
  useBot,
  useSuite,
} from './harness.ts';

const LOCALES = [
  { locale: 'kk', languageCode: 'kk-KZ' },
  { locale: 'ru', languageCode: 'ru' },
] as const;

let nextUser = 6_100;

describe.each(TEST_DB_KINDS)('Telegram conversation end to end (%s)', (kind) => {
  const suite = useSuite(kind);
  const startBot = useBot(suite);

  describe.each(MODES)('%s mode', (mode) => {
    it.each(LOCALES)('$locale: start, identification, six questions with Back and an edit, extension confirmed', async ({ locale, languageCode }) => {
      const w = await seedWorld(suite.core());
      const bot = await startBot(mode);
      const p = bot.parent(parentUser(nextUser++, languageCode), locale);
      const kgName = (n: number) => (locale === 'kk' ? `Балапан ${n}` : `Балапан ${n} (рус)`);
      const kgLabel = (n: number) => p.t('kindergarten.short', { number: n, name: kgName(n) });
      const since = (n: number) => p.textsSince(n);

      // Commands are registered per language and by default.
      for (const lang of ['kk', 'ru', '']) {
        expect(bot.fake.commands.get(`default:${lang}`)?.map((c) => c.command)).toEqual([...ADVERTISED_COMMANDS]);
      }
      expect(bot.fake.commands.get('default:ru')?.[1]?.description).toBe(suite.core().translator.t('ru', 'commands.menu'));

      // /start: the language of the app (kk-KZ → kk) is preselected.
      await p.start();
      expect(p.last().text).toBe(p.t('language.prompt'));
      const other = locale === 'kk' ? 'ru' : 'kk';
      expect(p.button(p.t(`language.${locale}`)).text).toBe(`✅ ${p.t(`language.${locale}`)}`);
      expect(p.button(p.t(`language.${other}`)).text).toBe(p.t(`language.${other}`));
      expect(p.last().inline).toHaveLength(1); // two short labels on one row

      // Language chosen: the native "share my phone number" button under the input field.
      await p.pressKey(`language.${locale}`);
      expect(p.last().text).toBe(p.t('identify.contactPrompt'));
      expect(bot.fake.replyKeyboards.get(p.chatId)).toMatchObject({
        keyboard: [[{ text: p.t('identify.contactButton'), request_contact: true }]],
        one_time_keyboard: true,
        resize_keyboard: true,
      });

      // A forwarded contact of someone else (another user_id, or a card without one) is refused.
      let n = p.messages().length;
      await p.contact(w.parent.phone, 424242);
      await p.contact(w.parent.phone, null);
      // Only the notice: the "share my number" button is still under the input field.
      expect(since(n)).toEqual([p.t('identify.notOwnContact'), p.t('identify.notOwnContact')]);
      expect(bot.fake.replyKeyboards.get(p.chatId)).toBeTruthy();

      // The own contact (Telegram sends the number without "+"): keyboard removed, IIN asked.
      n = p.messages().length;
      await p.contact(w.parent.phone.slice(1));
      expect(since(n)).toEqual([p.t('telegram.contactReceived'), p.t('identify.iinPrompt')]);
      expect(bot.fake.replyKeyboards.get(p.chatId)).toBeNull();

      // A valid IIN of somebody else counts as a wrong attempt; the right one opens the menu.
      n = p.messages().length;
      await p.text(w.other.iin);
      // Only the notice: the IIN prompt above is still the current step.
      expect(since(n)).toEqual([p.t('identify.iinMismatch', { count: 4 })]);
      n = p.messages().length;
      await p.text(w.parent.iin);
      expect(since(n)).toEqual([p.t('identify.welcome'), p.t('menu.title')]);
      expect(await suite.core().db.prisma.chatLink.count({ where: { channel: 'TELEGRAM', chatId: String(p.chatId) } })).toBe(1);

      // Question 1: a paged list, one kindergarten per row, details in the text.
      n = p.messages().length;
      await p.pressKey('menu.extend');
      const q1 = p.last();
      expect(p.messages().length).toBe(n + 2); // the intro, then the question
      expect(q1.text).toContain(p.t('questionnaire.progress', { n: 1, total: 6 }));
      expect(q1.text).toContain(p.t('telegram.page', { page: 1, pages: 2 }));
      expect(q1.text).toContain(kgLabel(101));
      const kgRows = q1.inline!.filter((row) => row.some((b) => /^(✅ )?№\d+/.test(b.text)));
      expect(kgRows).toHaveLength(8);
      expect(kgRows.every((row) => row.length === 1)).toBe(true);

      // Page turns and ticks edit the message in place.
      await p.pressKey('common.next', undefined, q1);
      expect(p.messages().length).toBe(n + 2);
      expect(p.last().message_id).toBe(q1.message_id);
      expect(p.last().text).toContain(p.t('telegram.page', { page: 2, pages: 2 }));
      expect(p.button(kgLabel(109)).callback_data).toBeDefined();
      const pageRow = p.last().inline!.find((row) => row.some((b) => b.text === p.t('common.prev')))!;
      expect(pageRow).toHaveLength(1); // on the last page only ◀
      await p.pressKey('common.prev');
      await p.press(kgLabel(101));
      expect(p.messages().length).toBe(n + 2);
      expect(p.button(kgLabel(101)).text).toBe(`✅ ${kgLabel(101)}`);
      expect(p.last().editCount).toBe(3);

      // Typed text searches by number: the question's message shows the results in place, and a
      // short line below says so — the chat does not fill up with copies of the list.
      n = p.messages().length;
      await p.text('112');
      expect(p.messages().length).toBe(n + 1);
      expect(p.last().text).toBe(p.t('telegram.refreshed'));
      expect(p.keyboard().message_id).toBe(q1.message_id);
      expect(p.keyboard().text).toContain(p.t('q1.searchResults', { query: '112', count: 1 }));
      await p.press(kgLabel(112));
      expect(p.button(kgLabel(112)).text).toBe(`✅ ${kgLabel(112)}`);

      // "Near me": the native location button; the shared location orders by distance.
      await p.pressKey('q1.nearMe');
      expect(p.last().text).toBe(p.t('q1.shareLocation'));
      expect(bot.fake.replyKeyboards.get(p.chatId)).toMatchObject({ keyboard: [[{ request_location: true }]] });
      n = p.messages().length;
      await p.location(43.3, 76.9);
      expect(since(n)[0]).toBe(p.t('telegram.locationReceived'));
      expect(p.last().text).toContain(p.t('q1.sortedByDistance'));
      expect(bot.fake.replyKeyboards.get(p.chatId)).toBeNull();
      expect(p.last().inline![0]![0]!.text).toBe(kgLabel(111)); // 43.30 is kindergarten 111's latitude

      await p.pressKey('q1.done', { count: 2 });
      expect(p.last().text).toContain(p.t('q2.prompt'));
      expect(p.last().text).toContain(p.t('questionnaire.progress', { n: 2, total: 6 }));

      // Question 2 with its "why", Back, and on.
      await p.pressKey('options.ownership.STATE');
      expect(p.button(p.t('options.reason.QUALITY'))).toBeDefined();
      await p.pressKey('common.back');
      expect(p.last().text).toContain(p.t('q2.prompt'));
      expect(p.button(p.t('options.ownership.STATE')).text).toBe(`✅ ${p.t('options.ownership.STATE')}`);
      await p.pressKey('options.ownership.STATE');
      await p.pressKey('options.reason.QUALITY');
      expect(p.last().text).toContain(p.t('q3.prompt'));
      await p.pressKey('options.language.KK');

      // Question 4: twelve short brackets, several to a row (ru "до 10 000 ₸" three, kk "10 000 ₸ дейін" two).
      expect(p.last().text).toContain(p.t('q4.prompt'));
      const bracketRows = p.last().inline!.filter((row) => row.some((b) => b.text.includes('₸')));
      expect(bracketRows).toHaveLength(locale === 'ru' ? 4 : 6);
      await p.pressKey('options.payment', { amount: { amount: 25_000 } });

      // Questions 5 and 6: ticks edit in place, Done moves on.
      expect(p.last().text).toContain(p.t('q5.prompt'));
      n = p.messages().length;
      await p.pressKey('options.sections.chess');
      await p.pressKey('options.sections.drawing');
      expect(p.messages().length).toBe(n);
      expect(p.button(p.t('options.sections.chess')).text).toBe(`✅ 4. ${p.t('options.sections.chess')}`);
      await p.pressKey('common.done');
      expect(p.last().text).toContain(p.t('q6.prompt'));
      await p.pressKey('options.digital.cashless');
      await p.pressKey('common.done');
      expect(p.last().text).toContain(p.t('summary.title'));

      // An edit from the summary comes back to the summary.
      await p.pressKey('summary.edit', { n: 4 });
      expect(p.last().text).toContain(p.t('q4.prompt'));
      await p.pressKey('options.payment', { amount: { amount: 30_000 } });
      const summary = p.last().text;
      expect(summary).toContain(p.t('summary.title'));
      expect(summary).toContain(p.t('options.payment', { amount: { amount: 30_000 } }));
      expect(summary).toContain(kgName(101));
      expect(summary).toContain(kgName(112));

      // Confirm: both applications extended to the season's validity date.
      n = p.messages().length;
      await p.pressKey('summary.confirmExtend', { count: 2 });
      expect(since(n)).toEqual([p.t('extend.done', { count: 2, validUntil: { date: w.season.validUntil.toISOString() } }), p.t('menu.title')]);

      const db = suite.core().db.prisma;
      const apps = await db.application.findMany({ where: { parentId: w.parent.id } });
      expect(apps.map((a) => a.validUntil.toISOString())).toEqual([w.season.validUntil.toISOString(), w.season.validUntil.toISOString()]);
      const questionnaire = await db.questionnaire.findUniqueOrThrow({
        where: { parentId_seasonId: { parentId: w.parent.id, seasonId: w.season.id } },
        include: { kindergartens: true },
      });
      expect(questionnaire).toMatchObject({ channel: 'TELEGRAM', ownership: 'STATE', ownershipReason: 'QUALITY', language: 'KK', maxPayment: 30_000 });
      expect(questionnaire.sections.sort()).toEqual(['chess', 'drawing']);
      expect(questionnaire.digital).toEqual(['cashless']);
      expect(questionnaire.kindergartens.map((k) => k.kindergartenId).sort()).toEqual([w.kindergartens[0]!.id, w.kindergartens[11]!.id].sort());
      const extensions = await db.extension.findMany({ where: { seasonId: w.season.id } });
      expect(extensions).toHaveLength(2);
      expect(extensions.every((e) => e.channel === 'TELEGRAM' && e.questionnaireId === questionnaire.id)).toBe(true);

      expectNoRefusedCalls(bot.fake);
      expectEveryCallbackAnsweredOnce(bot.fake);
      expectCallbackDataWithinLimit(bot.fake);
      // Every update was handled, none failed.
      expect([...bot.outcomes.values()].flat().every((o) => o === 'processed')).toBe(true);
    });

    it("five wrong IINs lock identification out, in the parent's language", async () => {
      const w = await seedWorld(suite.core());
      const bot = await startBot(mode);
      const p = bot.parent(parentUser(nextUser++, 'ru'), 'ru');
      await p.start();
      await p.pressKey('language.ru');
      await p.contact(w.parent.phone);
      for (let i = 0; i < 4; i++) await p.text(w.other.iin);
      expect(p.last().text).toBe(p.t('identify.iinMismatch', { count: 1 }));
      const n = p.messages().length;
      await p.text(w.other.iin);
      const locked = p.textsSince(n);
      expect(locked).toHaveLength(1);
      expect(locked[0]).toMatch(/^Слишком много неверных попыток/);
      // Even the right IIN is refused now.
      await p.text(w.parent.iin);
      expect(p.last().text).toMatch(/^Слишком много неверных попыток/);
      expect(await suite.core().db.prisma.chatLink.count()).toBe(0);
      expectNoRefusedCalls(bot.fake);
    });
  });
});
