/**
 * What a parent and a reviewer notice, on Telegram (issue: conversation quality): each through
 * the webhook and the fake Bot API, in Kazakh and Russian. The every-screen test renders all
 * texts; these check the behaviour behind them.
 */
import { describe, expect, it } from 'vitest';
import { TelegramNotifier } from '../../bots/telegram/notifier.ts';
import { buildNotification } from '../../src/campaign/notifications.ts';
import type { Locale } from '../../src/conversation/core/views.ts';
import { callbackQuery, stickerMessage, textMessage } from '../../test-support/fakes/telegram-updates.ts';
import { parentUser, seedWorld, useBot, useSuite, type TelegramParent } from './harness.ts';

let nextUser = 8_100;
const LOCALES: { locale: Locale; languageCode: string }[] = [
  { locale: 'kk', languageCode: 'kk-KZ' },
  { locale: 'ru', languageCode: 'ru' },
];

const toasts = (p: TelegramParent) =>
  p.fake
    .callsOf('answerCallbackQuery')
    .filter((c) => c.response.ok)
    .map((c) => c.params.text as string | undefined);

describe('Telegram: every screen right in both languages (webhook, embedded database)', () => {
  const suite = useSuite('embedded');
  const startBot = useBot(suite);

  /** A parent who chose the language and shared the number: the IIN is asked. */
  async function atIin(locale: Locale, languageCode: string) {
    const w = await seedWorld(suite.core());
    const bot = await startBot('webhook');
    const p = bot.parent(parentUser(nextUser++, languageCode), locale);
    await p.start();
    await p.pressKey(`language.${locale}`);
    await p.contact(w.parent.phone);
    return { w, bot, p };
  }

  async function linked(locale: Locale, languageCode: string) {
    const { w, bot, p } = await atIin(locale, languageCode);
    await p.text(w.parent.iin);
    expect(p.last().text).toBe(p.t('menu.title'));
    return { w, bot, p };
  }

  const kgLabel = (p: TelegramParent, n: number) => p.t('kindergarten.short', { number: n, name: p.locale === 'kk' ? `Балапан ${n}` : `Балапан ${n} (рус)` });

  /** From the menu through question 4 (kindergarten 101, any ownership, Russian, 10 000). */
  async function toQuestion5(p: TelegramParent) {
    await p.pressKey('menu.extend');
    await p.press(kgLabel(p, 101));
    await p.pressKey('q1.done', { count: 1 });
    await p.pressKey('options.ownership.ANY');
    await p.pressKey('options.language.RU');
    await p.pressKey('options.payment', { amount: { amount: 10_000 } });
    expect(p.keyboard().text).toContain(p.t('q5.prompt'));
  }

  describe.each(LOCALES)('$locale', ({ locale, languageCode }) => {
    it("question 1: Done with nothing chosen says so in words (no raw key), with the portal's note; the choices ranked, each removable with ✖", async () => {
      const { p } = await linked(locale, languageCode);
      await p.pressKey('menu.extend');
      const q1 = p.keyboard();
      expect(q1.text).toContain(p.t('q1.note'));
      await p.pressKey('common.done');
      const min = toasts(p).at(-1)!;
      expect(min).toBe(p.t('q1.min', { count: 1 }));
      expect(min).not.toMatch(/q1\.min|\{\{/);

      await p.press(kgLabel(p, 103));
      await p.press(kgLabel(p, 101));
      await p.press(kgLabel(p, 105));
      // In the order tapped: 103 is the first choice.
      const ranked = p.keyboard().text;
      expect(ranked).toContain(
        p.t('q1.selected', {
          list: {
            list: [103, 101, 105].map((n, i) => ({
              key: 'q1.ranked',
              params: { n: i + 1, label: { key: 'kindergarten.short', params: { number: n, name: locale === 'kk' ? `Балапан ${n}` : `Балапан ${n} (рус)` } } },
            })),
          },
        }),
      );
      // Off the page (after a search), a choice is removed with its ✖ without searching for it.
      await p.text('112');
      const remove = p.button(/^✖ 1\. /);
      await p.press(remove.text);
      expect(p.keyboard().text).toContain(`1. ${kgLabel(p, 101)}, 2. ${kgLabel(p, 105)}`);
      await p.pressKey('q1.done', { count: 2 });
      const db = suite.core().db.prisma;
      const state = (await db.conversationState.findFirstOrThrow({ where: { chatId: String(p.chatId) } })).state as {
        draft: { kindergartens: { number: number }[] };
      };
      expect(state.draft.kindergartens.map((k) => k.number)).toEqual([101, 105]);
    });

    it('questions 5 and 6: buttons carry the numbers the hint speaks of; typed numbers choose exactly those, keeping the Other text', async () => {
      const { p } = await linked(locale, languageCode);
      await toQuestion5(p);
      const labels = p
        .keyboard()
        .inline!.flat()
        .map((b) => b.text);
      expect(labels[0]).toBe(`1. ${p.t('options.sections.football')}`);
      expect(labels[12]).toBe(`13. ${p.t('options.sections.other')}`);

      await p.pressKey('options.sections.football');
      await p.text('1, 4, 7');
      const ticked = () =>
        p
          .keyboard()
          .inline!.flat()
          .filter((b) => b.text.startsWith('✅ ') && /^✅ \d+\./.test(b.text))
          .map((b) => b.text);
      expect(ticked()).toEqual([
        `✅ 1. ${p.t('options.sections.football')}`,
        `✅ 4. ${p.t('options.sections.chess')}`,
        `✅ 7. ${p.t('options.sections.extendedDay')}`,
      ]);
      // Typing again means "these", not "flip these": football is no longer wanted.
      await p.text('4, 7');
      expect(ticked()).toEqual([`✅ 4. ${p.t('options.sections.chess')}`, `✅ 7. ${p.t('options.sections.extendedDay')}`]);
      // Other: its text asked once, then kept while "13" stays among the typed numbers.
      await p.text('4, 13');
      expect(p.last().text).toContain(p.t('questionnaire.otherPrompt', { max: 200 }));
      await p.text('Жүзу');
      await p.text('2, 13');
      expect(ticked()).toEqual([`✅ 2. ${p.t('options.sections.sportDance')}`, `✅ 13. ${p.t('options.sections.other')}`]);
      expect(p.keyboard().text).toContain(p.t('questionnaire.otherGiven', { text: 'Жүзу' }));
      await p.text('2');
      expect(p.keyboard().text).not.toContain(p.t('questionnaire.otherGiven', { text: 'Жүзу' }));
    });

    it('question 2: "why" is asked per option in good grammar; question 4 asks to be objective', async () => {
      const { p } = await linked(locale, languageCode);
      await p.pressKey('menu.extend');
      await p.press(kgLabel(p, 101));
      await p.pressKey('q1.done', { count: 1 });
      await p.pressKey('options.ownership.PRIVATE');
      const privateWhy = { kk: 'Сізге неге дәл жекеменшік балабақша маңызды?', ru: 'Почему вам важен именно частный детский сад?' }[locale];
      expect(p.keyboard().text).toContain(privateWhy);
      await p.pressKey('common.back');
      await p.pressKey('options.ownership.STATE');
      const stateWhy = { kk: 'Сізге неге дәл мемлекеттік балабақша маңызды?', ru: 'Почему вам важен именно государственный детский сад?' }[locale];
      expect(p.keyboard().text).toContain(stateWhy);
      // Never the option's label dropped into a sentence ("…выбираете Частная?", "Неге Мемлекеттік…").
      expect(p.keyboard().text).not.toMatch(/выбираете|Неге Мемлекеттік/);
      await p.pressKey('options.reason.QUALITY');
      await p.pressKey('options.language.KK');
      expect(p.keyboard().text).toContain(p.t('q4.note'));
    });

    it('Kazakh and Russian numbers: "Question N/6" and edits need no case ending, distances with a decimal comma', async () => {
      const { p } = await linked(locale, languageCode);
      await p.pressKey('menu.extend');
      await p.pressKey('q1.nearMe');
      await p.location(43.205, 76.9);
      const sorted = p.keyboard().text;
      // 43.205 is half a kilometre from kindergarten 101 (43.20) and 102 (43.21).
      expect(sorted).toMatch(/0,6 км/);
      expect(sorted).not.toMatch(/\d\.\d км/);
      const all = p
        .messages()
        .map((m) => m.text)
        .join('\n');
      expect(all).toContain(p.t('questionnaire.progress', { n: 1, total: 6 }));
      if (locale === 'kk') {
        expect(all).toContain('Сұрақ 1/6');
        // No suffix hung on a digit ("6-сы", "13-ке"…): the texts are worded to need none.
        expect(all).not.toMatch(/\d-(сі|сы|ні|ны|ге|ке|ді|ты)(?![а-яәіңғүұқөһ])/);
      }
    });

    it('identification locked: /menu and a typed IIN show the lock and its end, never the IIN prompt', async () => {
      const { w, p } = await atIin(locale, languageCode);
      for (let i = 0; i < 5; i++) await p.text(w.other.iin);
      const locked = p.last().text;
      expect(locked).toMatch(/\d\d\.\d\d\.\d{4} \d\d:\d\d/);
      let n = p.messages().length;
      await p.text('/menu');
      expect(p.textsSince(n)).toEqual([locked]);
      n = p.messages().length;
      await p.text(w.parent.iin);
      expect(p.textsSince(n)).toEqual([locked]);
      expect(p.messages().filter((m) => m.text === p.t('identify.iinPrompt'))).toHaveLength(1);
    });

    it('a forged restore button naming another parent\'s application is refused at once as "not found", its number never echoed', async () => {
      const { w, p } = await linked(locale, languageCode);
      await suite.core().db.prisma.application.update({ where: { id: w.applications[1]!.id }, data: { status: 'STOP_LISTED', stopListedAt: new Date() } });
      const stranger = await suite.core().db.prisma.application.create({
        data: {
          queueNumber: 1159,
          parentId: w.other.id,
          childId: (await suite.core().db.prisma.child.findFirstOrThrow({ where: { parentId: w.parent.id } })).id,
          registeredAt: new Date(),
          status: 'STOP_LISTED',
          validUntil: new Date(),
          stopListedAt: new Date(),
        },
      });
      await p.pressKey('menu.restore');
      const list = p.keyboard();
      const seq = list.inline!.flat()[0]!.callback_data!.split('.')[0]!;
      const n = p.messages().length;
      await p.pressData(`${seq}.c.a${stranger.id}`, list);
      expect(toasts(p).at(-1)).toBe(p.t('restore.notFound'));
      expect(p.messages().length).toBe(n);
      const sent = p.fake.calls.map((c) => JSON.stringify(c.params)).join('\n');
      expect(sent).not.toContain('1159');
      // The parent's own application is still offered.
      await p.press(new RegExp(String(w.applications[1]!.queueNumber)), list);
      expect(p.last().text).toContain(String(w.applications[1]!.queueNumber));
    });

    it("a questionnaire left on question 1 with a kindergarten ticked resumes there from the reminder's button, the tick kept", async () => {
      const { bot, p } = await linked(locale, languageCode);
      await p.pressKey('menu.extend');
      await p.press(kgLabel(p, 102));
      await p.text('/menu');
      // The campaign's reminder, as the outbox sends it, and a tap on its button.
      const notifier = new TelegramNotifier({ token: bot.fake.token, apiRoot: bot.fake.apiRoot, translator: suite.core().translator });
      await notifier.send({
        chatId: String(p.chatId),
        locale,
        message: buildNotification('REMINDER', { count: 2, deadline: new Date(Date.now() + 30 * 86_400_000), daysLeft: 30 }),
        template: null,
        withinServiceWindow: true,
      });
      const reminder = p.last();
      const n = p.messages().length;
      await p.pressKey('campaign.reminder.button', undefined, reminder);
      const q = p.keyboard();
      expect(p.textsSince(n)[0]).toBe(p.t('questionnaire.resume'));
      expect(q.text).toContain(p.t('questionnaire.progress', { n: 1, total: 6 }));
      expect(p.button(kgLabel(p, 102), q).text).toBe(`✅ ${kgLabel(p, 102)}`);
    });

    it('question 6 asks the portal\'s question on the personal account; "What do these mean?" shows every feature\'s description in place', async () => {
      const { p } = await linked(locale, languageCode);
      await toQuestion5(p);
      await p.pressKey('common.doneNone');
      const q6 = p.keyboard();
      expect(q6.text).toContain(p.t('q6.prompt'));
      expect(q6.text).not.toContain(p.t('options.digitalInfo.invoices'));
      const n = p.messages().length;
      await p.pressKey('q6.info');
      expect(p.messages().length).toBe(n);
      const explained = p.keyboard();
      expect(explained.message_id).toBe(q6.message_id);
      for (const key of [
        'invoices',
        'cashless',
        'absenceRecalculation',
        'attendance',
        'healthPassport',
        'portfolio',
        'teacherProfile',
        'nutrition',
        'eContracts',
        'androidApp',
        'iosApp',
        'onlineReception',
      ]) {
        expect(explained.text).toContain(p.t(`options.digitalInfo.${key}`));
      }
      // Ticking keeps them open; hiding closes them.
      await p.pressKey('options.digital.cashless');
      expect(p.keyboard().text).toContain(p.t('options.digitalInfo.cashless'));
      await p.pressKey('q6.hideInfo');
      expect(p.keyboard().text).not.toContain(p.t('options.digitalInfo.cashless'));
    });
  });

  describe('the chat does not fill up', () => {
    it('a search edits the question in place; a stray text or a sticker gets only the short notice', async () => {
      const { p } = await linked('ru', 'ru');
      await p.pressKey('menu.extend');
      const q1 = p.keyboard();
      const before = q1.text.length;
      expect(before).toBeGreaterThan(800);
      let n = p.messages().length;
      await p.text('Балапан 11');
      expect(p.textsSince(n)).toEqual([p.t('telegram.refreshed')]);
      expect(p.keyboard().message_id).toBe(q1.message_id);
      n = p.messages().length;
      await p.bot.send(stickerMessage(p.user));
      await p.text('какой сад лучше?');
      // A search whose list did not change is a search all the same: the same question, one line.
      expect(p.textsSince(n)).toEqual([p.t('common.useButtons'), p.t('telegram.refreshed')]);
      expect(p.messages().filter((m) => m.inline && m.text.includes(p.t('q1.prompt', { max: 3 })))).toHaveLength(1);
    });

    it('where the screen is shown is written behind and read by the next instance; one that never got it turns a pressed old message into the screen, or sends the screen anew', async () => {
      const { bot, p } = await linked('kk', 'kk-KZ');
      await p.pressKey('menu.extend');
      await p.press(kgLabel(p, 101));
      await p.pressKey('q1.done', { count: 1 });
      const q1 = p.messages().find((m) => m.text.includes(p.t('q1.prompt', { max: 3 })))!;
      const db = suite.core().db.prisma;
      const where = { channel: 'TELEGRAM' as const, chatId: String(p.chatId) };
      /** The instance stops (writing what it knows) and another takes over the webhook. */
      const restart = async (forget: boolean) => {
        await bot.channel.stop();
        if (forget) await db.conversationState.updateMany({ where, data: { anchorSeq: null, anchorMessageId: null } });
        const next = await startBot('webhook', { fake: bot.fake });
        return next.parent(p.user, 'kk');
      };
      // Written behind: the next instance knows the question 2 message shows the screen.
      let q = await restart(false);
      const n = p.messages().length;
      await q.text('білмеймін');
      expect(q.textsSince(n)).toEqual([q.t('common.useButtons')]);
      // An instance that never got it: a press on the old question 1 turns that message into question 2.
      q = await restart(true);
      await q.pressKey('common.next', undefined, q1);
      expect(toasts(q).at(-1)).toBe(q.t('common.stale'));
      expect(q.messages().length).toBe(n + 1);
      expect(q1.text).toContain(q.t('q2.prompt'));
      await q.text('білмеймін');
      expect(q.textsSince(n)).toEqual([q.t('common.useButtons'), q.t('common.useButtons')]);
      // And typed input with no idea where the screen is gets the screen anew.
      q = await restart(true);
      await q.text('білмеймін');
      expect(q.textsSince(n).slice(2)).toEqual([q.t('common.useButtons'), q1.text]);
    });
  });

  describe('before a language is chosen', () => {
    it('a Russian client whose first message is not /start is answered in Russian; a client with no language hint in both languages', async () => {
      await seedWorld(suite.core());
      const bot = await startBot('webhook');
      const ru = bot.parent(parentUser(nextUser++, 'ru'), 'ru');
      await ru.text('Привет');
      expect(ru.last().text).toBe(ru.t('language.prompt'));
      expect(ru.button(ru.t('language.ru')).text).toBe(`✅ ${ru.t('language.ru')}`);
      await bot.send(stickerMessage(ru.user));
      expect(ru.last().text).toBe(ru.t('common.useButtons'));
      await ru.text('/help');
      expect(ru.messages().some((m) => m.text.startsWith(ru.t('help.purge')))).toBe(true);

      const nobody = bot.parent(parentUser(nextUser++), 'kk');
      await bot.send(textMessage(nobody.user, 'Hello'));
      await bot.send(stickerMessage(nobody.user));
      const tr = suite.core().translator;
      expect(nobody.last().text).toBe(`${tr.t('kk', 'common.useButtons')}\n${tr.t('ru', 'common.useButtons')}`);
      await bot.send(textMessage(nobody.user, '/menu'));
      expect(nobody.messages().some((m) => m.text === `${tr.t('kk', 'identify.first')}\n${tr.t('ru', 'identify.first')}`)).toBe(true);
      void callbackQuery;
    });
  });
});
