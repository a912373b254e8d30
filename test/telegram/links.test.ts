/**
 * Issue 15 on Telegram, end to end through the webhook and the fake Bot API: an SMS planned for an
 * unlinked parent goes through the Mobizon double with the link to its page, and the page's deep
 * link opens the chat at the IIN prompt in the parent's language (no contact step), a bad link gets
 * one polite text and the usual identification, and typed stop words opt the parent out of
 * Telegram's messages after a confirmation.
 */
import { describe, expect, it } from 'vitest';
import { ticksUntilSent } from '../waits.ts';
import type { Locale } from '../../src/conversation/core/views.ts';
import { optedOut } from '../../src/services/opt-outs.ts';
import { TEST_DB_KINDS } from '../../test-support/db.ts';
import { createApplication, createChild, createParent, createSeason } from '../helpers/fixtures.ts';
import { MobizonDouble } from '../../test-support/fakes/mobizon.ts';
import { makeDispatcher } from '../../test-support/dispatch-harness.ts';
import { MobizonProvider } from '../../bots/sms/mobizon.ts';
import { deepLinksFor } from '../../src/campaign/outbox/deep-links.ts';
import { planOutreach } from '../../src/campaign/outreach.ts';
import { SmsNotifier } from '../../src/campaign/sms/notifier.ts';
import { countSegments } from '../../src/campaign/sms/segments.ts';
import { systemClock } from '../../src/clock.ts';
import { startCommand } from '../../test-support/fakes/telegram-updates.ts';
import { expectNoRefusedCalls, parentUser, useBot, useSuite, type Suite, type TelegramParent } from './harness.ts';

const LINK_SECRET = 'telegram-links-test-secret-0123456789abcdef';
const MOBIZON_KEY = 'telegram-links-test-mobizon-key-0123456789';
const ALL_DAY = { startMinute: 0, endMinute: 24 * 60 };
const DAY = 86_400_000;
let nextUser = 15_100;

async function registryParent(suite: Suite, locale: Locale) {
  const db = suite.core().db.prisma;
  const parent = await createParent(db, { locale });
  const child = await createChild(db, parent.id);
  const deadline = new Date(Date.now() + 20 * DAY);
  const url = await suite.core().links.issueLink(db, { parentId: parent.id, phone: parent.phone, expiresAt: deadline, bot: 'TELEGRAM' }, new Date());
  if (!url) throw new Error('deep links are off');
  return { parent, child, url, token: new URL(url).searchParams.get('start')! };
}

const follow = (p: TelegramParent, token: string) => p.bot.send(startCommand(p.user, token));

describe.each(TEST_DB_KINDS)('Telegram deep links and opt-out (%s)', (kind) => {
  const suite = useSuite(kind, { LINK_SECRET, PUBLIC_URL: 'https://kezek.example.kz' });
  const startBot = useBot(suite);

  describe.each([
    { locale: 'kk', app: 'ru' },
    { locale: 'ru', app: 'kk' },
  ] as const)('$locale parent (app in $app)', ({ locale, app }) => {
    it("/start <token> goes straight to the IIN prompt in the parent's language; the IIN links the chat", async () => {
      const bot = await startBot('webhook');
      const { parent, child, url, token } = await registryParent(suite, locale);
      // The bot's username came from getMe at start.
      expect(url).toBe(`https://t.me/kezek_test_bot?start=${token}`);
      expect(token).toMatch(/^[A-Za-z0-9_-]{24}$/);
      const p = bot.parent(parentUser(nextUser++, app), locale);

      await follow(p, token);
      expect(p.textsSince(0)).toEqual([p.t('link.accepted'), p.t('identify.iinPrompt')]);
      // No "share my number" keyboard: the link proved the phone.
      expect(bot.fake.replyKeyboards.get(p.chatId)).toBeUndefined();
      const row = await suite.core().db.prisma.linkToken.findFirstOrThrow();
      expect(row.usedAt).not.toBeNull();

      // The IIN is still asked, and links the chat to that parent.
      const n = p.messages().length;
      await p.text(child.iin);
      expect(p.textsSince(n)).toEqual([p.t('identify.welcome'), p.t('menu.title')]);
      const link = await suite.core().db.prisma.chatLink.findFirstOrThrow({ where: { channel: 'TELEGRAM', chatId: String(p.chatId) } });
      expect(link).toMatchObject({ parentId: parent.id, locale });
      expectNoRefusedCalls(bot.fake);
    });

    it('an SMS to an unlinked parent links to its page, whose Telegram button opens this bot at the IIN prompt', async () => {
      const db = suite.core().db.prisma;
      const bot = await startBot('webhook');
      const now = new Date();
      const season = await createSeason(db, {
        code: 'SMS',
        opensAt: new Date(now.getTime() - 10 * DAY),
        deadline: new Date(now.getTime() + 20 * DAY),
        validUntil: new Date(now.getTime() + 400 * DAY),
      });
      const parent = await createParent(db, { locale });
      const child = await createChild(db, parent.id);
      await createApplication(db, { parentId: parent.id, childId: child.id, validUntil: new Date(now.getTime() + DAY) });
      await db.parent.update({ where: { id: parent.id }, data: { notifySms: true } });
      const reach = { whatsappOutreach: false, sms: true, smsLastResortDays: 7, smsPerDay: 100 };
      expect(await planOutreach(db, { season, offsetDays: 14, now, reach, tier: null, window: ALL_DAY })).toEqual({ whatsapp: 0, sms: 1 });

      // The real SMS notifier and Mobizon provider against the loopback double; the link service of this core.
      const mobizon = await MobizonDouble.start({ apiKey: MOBIZON_KEY, senderNames: ['KEZEK'] });
      try {
        const sms = new SmsNotifier({
          provider: new MobizonProvider({ apiKey: MOBIZON_KEY, apiRoot: mobizon.apiRoot, timeoutMs: 5_000 }),
          translator: suite.core().translator,
          db,
          clock: systemClock,
          dailyBudget: 100,
          window: ALL_DAY,
          from: 'KEZEK',
        });
        const d = makeDispatcher({ prisma: db, dbKind: kind, senders: [sms], clock: systemClock, deepLinks: deepLinksFor(db, suite.core().links) });
        // On the real clock a loaded machine may start the send past its slot: given back for a later tick.
        expect(await ticksUntilSent(d)).toBe(1);
        await d.stop();
      } finally {
        await mobizon.close();
      }
      const [message] = mobizon.messages;
      expect(message!.recipient).toBe(parent.phone.slice(1));
      const lines = message!.text.split('\n');
      expect(lines).toHaveLength(3);
      expect(lines[2]).toBe(suite.core().translator.t(locale, 'sms.stop'));
      expect(countSegments(message!.text).segments).toBeLessThanOrEqual(2);
      expect(lines[1]).toMatch(/^https:\/\/kezek\.example\.kz\/s\/S[A-Za-z0-9_-]{23}$/);

      // The page, served by this core: its first button is the deep link into this bot.
      const page = await (await fetch(lines[1]!.replace('https://kezek.example.kz', `http://127.0.0.1:${suite.port()}`))).text();
      const telegram = /<a href="(https:\/\/t\.me\/[^"]+)"/.exec(page)![1]!.replaceAll('&#38;', '&');
      expect(telegram).toMatch(/^https:\/\/t\.me\/kezek_test_bot\?start=L[A-Za-z0-9_-]{23}$/);
      const p = bot.parent(parentUser(nextUser++, app), locale);
      await follow(p, new URL(telegram).searchParams.get('start')!);
      expect(p.textsSince(0)).toEqual([p.t('link.accepted'), p.t('identify.iinPrompt')]);
      await p.text(child.iin);
      expect(p.last().text).toBe(p.t('menu.title'));
      expect(await db.chatLink.count({ where: { parentId: parent.id, channel: 'TELEGRAM' } })).toBe(1);
      expectNoRefusedCalls(bot.fake);
    });

    it('a forged, reused, expired or phone-changed token: one polite text, then the language and contact steps', async () => {
      const prisma = suite.core().db.prisma;
      const bot = await startBot('webhook');
      const used = await registryParent(suite, locale);
      await follow(bot.parent(parentUser(nextUser++, app), locale), used.token);
      const expired = await registryParent(suite, locale);
      await prisma.linkToken.updateMany({ where: { parentId: expired.parent.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
      const moved = await registryParent(suite, locale);
      await prisma.parent.update({ where: { id: moved.parent.id }, data: { phone: '+77019990011' } });
      const forged = `${used.token.slice(0, 12)}${'A'.repeat(12)}`;

      for (const token of [forged, used.token, expired.token, moved.token]) {
        const p = bot.parent(parentUser(nextUser++, locale), locale);
        await follow(p, token);
        // In the app's language, as a plain /start would answer; the language preselected.
        expect(p.textsSince(0)).toEqual([p.t('link.invalid'), p.t('language.prompt')]);
        expect(p.button(p.t(`language.${locale}`)).text).toBe(`✅ ${p.t(`language.${locale}`)}`);
        await p.pressKey(`language.${locale}`);
        expect(p.last().text).toBe(p.t('identify.contactPrompt'));
        expect(bot.fake.replyKeyboards.get(p.chatId)).toMatchObject({ keyboard: [[{ request_contact: true }]] });
      }
      // Nothing was redeemed by the refused attempts.
      expect(await prisma.linkToken.count({ where: { usedAt: { not: null } } })).toBe(1);
      expectNoRefusedCalls(bot.fake);
    });

    it('typed stop words ask for confirmation; confirmed, the opt-out is stored for Telegram; "again" lifts it', async () => {
      const prisma = suite.core().db.prisma;
      const bot = await startBot('webhook');
      const { parent, child, token } = await registryParent(suite, locale);
      const p = bot.parent(parentUser(nextUser++, locale), locale);
      await follow(p, token);
      await p.text(child.iin);

      for (const word of ['стоп', 'Тоқтату', 'STOP']) {
        const n = p.messages().length;
        await p.text(word);
        expect(p.textsSince(n)).toEqual([p.t('optOut.confirm')]);
        await p.pressKey('common.back');
        expect(p.last().text).toBe(p.t('menu.title'));
      }
      expect(await prisma.notificationOptOut.count()).toBe(0);

      await p.text('стоп');
      const n = p.messages().length;
      await p.pressKey('optOut.confirmButton');
      expect(p.textsSince(n)).toEqual([p.t('optOut.done'), p.t('menu.title')]);
      expect(await prisma.notificationOptOut.findMany()).toEqual([expect.objectContaining({ parentId: parent.id, channel: 'TELEGRAM', source: 'bot' })]);
      expect(await optedOut(prisma, [parent.id], 'WHATSAPP')).toEqual(new Set());

      // The button under the confirmation, even after the menu came: messages again.
      await p.pressKey('optOut.resumeButton', undefined, p.messages().at(-2));
      expect(p.messages().some((m) => m.text === p.t('optIn.done'))).toBe(true);
      expect(await prisma.notificationOptOut.count()).toBe(0);
      expectNoRefusedCalls(bot.fake);
    });
  });

  it('a chat already linked ignores a link: the token stays unused', async () => {
    const prisma = suite.core().db.prisma;
    const bot = await startBot('webhook');
    const first = await registryParent(suite, 'ru');
    const p = bot.parent(parentUser(nextUser++, 'ru'), 'ru');
    await follow(p, first.token);
    await p.text(first.child.iin);
    const second = await registryParent(suite, 'ru');
    const n = p.messages().length;
    await follow(p, second.token);
    expect(p.textsSince(n)).toEqual([p.t('menu.title')]);
    expect((await prisma.linkToken.findFirstOrThrow({ where: { parentId: second.parent.id } })).usedAt).toBeNull();
  });
});
