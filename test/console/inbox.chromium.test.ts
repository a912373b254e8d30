/**
 * Issue 17 as people use it: parents write from Telegram and WhatsApp (through the channels'
 * webhooks against the loopback fakes of both platforms), operators answer in the console in
 * Chromium, and the outbox carries the answers back. Covered: a photo attached and shown, a canned
 * reply kept by an admin and inserted, a new message appearing without a reload (server-sent
 * events), the close bringing the menu back, WhatsApp inside the window and outside it through the
 * template, two operators on one conversation, a double submit, a viewer's masked read-only view,
 * and a restart between the reply and its delivery. One browser for the file; screenshots in
 * CONSOLE_SHOTS. The core runs on a PostgreSQL database it can be restarted on.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Update } from 'grammy/types';
import { assembleCore, type Core } from '../../src/app.ts';
import { manualClock } from '../../src/clock.ts';
import { loadConfig, type Config } from '../../src/config/env.ts';
import { openDatabase } from '../../src/db/client.ts';
import { createLogger } from '../../src/log.ts';
import { TelegramChannel } from '../../bots/telegram/channel.ts';
import { WhatsAppChannel } from '../../bots/whatsapp/channel.ts';
import { FakeTelegramApi } from '../../test-support/fakes/telegram-api.ts';
import { FakeGraphApi } from '../../test-support/fakes/graph-api.ts';
import { callbackQuery, contactMessage, photoMessage, startCommand, textMessage, userFor, type TestUser } from '../../test-support/fakes/telegram-updates.ts';
import { wa } from '../../test-support/fakes/whatsapp-webhook.ts';
import { createEmptyPostgresDatabase } from '../../test-support/db.ts';
import { JPEG } from '../helpers/files.ts';
import { makeDispatcher, telegramSender, whatsappSender } from '../../test-support/dispatch-harness.ts';
import {
  APP_SECRET,
  describeSent,
  family,
  identify,
  NUMBER,
  TOKEN,
  VERIFY_TOKEN,
  WaUser,
  webhookPoster,
  type Family,
  type Harness,
} from '../whatsapp/harness.ts';
import { findChromium, launchBrowser, login, pageBook, PASSWORD, person, shot } from '../../test-support/console-harness.ts';

const chromiumPath = findChromium();
if (!chromiumPath) console.warn('console inbox: chromium not found — skipped (apt-get install -y chromium)');

const HOUR = 3_600_000;
const TG_SECRET = 'inbox-test-secret';
/** The WhatsApp fake's message clock starts here (test-support/fakes/whatsapp-webhook.ts). */
const START = new Date('2026-11-20T06:00:00Z');

interface World {
  core: Core;
  config: Config;
  base: string;
  tg: TelegramChannel;
  wa: WhatsAppChannel;
  settled: Set<number>;
  stop(): Promise<void>;
}

describe.skipIf(!chromiumPath)('the inbox in Chromium, with both channels', () => {
  const clock = manualClock(START);
  let database: Awaited<ReturnType<typeof createEmptyPostgresDatabase>>;
  let fakeTg: FakeTelegramApi;
  let fakeWa: FakeGraphApi;
  let world: World;
  let browser: Browser;
  const book = pageBook(() => browser);
  const open = async () => (await book.open()).page;

  /** The product on the database: core, console, both channels on their webhooks. */
  async function startWorld(migrate: boolean): Promise<World> {
    const config = loadConfig({
      SEED_DEMO: 'false',
      LOG_LEVEL: 'silent',
      SESSION_SECRET: 'inbox-test-session-secret-0123456789abcdef',
      WHATSAPP_TOKEN: TOKEN,
      WHATSAPP_PHONE_NUMBER_ID: NUMBER.phoneNumberId,
      WHATSAPP_APP_SECRET: APP_SECRET,
      WHATSAPP_VERIFY_TOKEN: VERIFY_TOKEN,
      WHATSAPP_API_ROOT: fakeWa.url,
      WHATSAPP_API_VERSION: 'v23.0',
    });
    const db = await openDatabase({ kind: 'postgres', url: database.url }, { migrate });
    const core = await assembleCore(db, config, { seedDemo: false, logger: createLogger('silent'), clock });
    const port = await core.http.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${port}`;
    const settled = new Set<number>();
    const tg = new TelegramChannel(
      core,
      { token: fakeTg.token, apiRoot: fakeTg.apiRoot, webhookUrl: base, webhookSecret: TG_SECRET },
      { onSettled: (id) => settled.add(id) },
    );
    await tg.start();
    const whatsapp = new WhatsAppChannel(core, config.whatsapp!, { recoveryIntervalMs: 3_600_000, recoveryAgeMs: 60_000 });
    await whatsapp.start();
    return {
      core,
      config,
      base,
      tg,
      wa: whatsapp,
      settled,
      stop: async () => {
        await tg.stop();
        await whatsapp.stop();
        await core.close();
      },
    };
  }

  /** Sends everything due in the outbox through both platforms' fakes, as the scheduler's tick would. */
  async function tick() {
    const senders = [
      await telegramSender(fakeTg.apiRoot),
      await whatsappSender(fakeWa.url, { token: TOKEN, phoneNumberId: NUMBER.phoneNumberId, version: 'v23.0' }),
    ];
    return makeDispatcher({
      prisma: world.core.db.prisma,
      dbKind: 'postgres',
      senders,
      clock,
      settings: { recipientGapMs: { TELEGRAM: 0, WHATSAPP: 0 } },
    }).tick();
  }

  // ——— a Telegram parent ———
  async function tgSend(update: Parameters<FakeTelegramApi['deliver']>[0]): Promise<Update> {
    const stamped = fakeTg.stamp(update);
    expect(await fakeTg.deliver(stamped, { secret: TG_SECRET })).toBe(200);
    await expect.poll(() => world.settled.has(stamped.update_id), { timeout: 10_000 }).toBe(true);
    return stamped;
  }
  const tgPress = async (user: TestUser, label: string) => {
    const m = fakeTg
      .chat(user.id)
      .filter((x) => x.inline)
      .at(-1)!;
    const button = m.inline!.flat().find((b) => b.text.replace(/^✅ /, '') === label);
    if (!button)
      throw new Error(
        `no button ${label}: ${m
          .inline!.flat()
          .map((b) => b.text)
          .join(' | ')}`,
      );
    return tgSend(callbackQuery(fakeTg, user, m, button.callback_data!));
  };
  const t = (locale: 'kk' | 'ru', key: string, params?: Record<string, string | number>) => world.core.translator.t(locale, key, params);

  async function telegramParent(locale: 'kk' | 'ru', id: number): Promise<{ user: TestUser; f: Family }> {
    const f = await family(world.core.db.prisma, { locale });
    const user = userFor(id, locale);
    await tgSend(startCommand(user));
    await tgPress(user, t(locale, `language.${locale}`));
    await tgSend(contactMessage(user, f.phone));
    await tgSend(textMessage(user, f.childIin));
    return { user, f };
  }

  // ——— a WhatsApp parent ———
  const waPost = () =>
    webhookPoster(
      () => Number(new URL(world.base).port),
      () => world.wa,
    );
  const waSent = (waId: string) => fakeWa.accepted(waId).map(describeSent);
  /** A WhatsApp parent tapping what the bot really sent, through the signed webhook. */
  const waUser = (waId: string) => new WaUser({ fake: fakeWa, post: (payload: unknown) => waPost().post(payload) } as unknown as Harness, waId);

  beforeAll(async () => {
    database = await createEmptyPostgresDatabase();
    fakeTg = await FakeTelegramApi.start();
    fakeWa = await FakeGraphApi.start({ token: TOKEN, phoneNumberId: NUMBER.phoneNumberId, version: 'v23.0' });
    world = await startWorld(true);
    await person(world.core, 'admin1', 'ADMIN');
    await person(world.core, 'operator1', 'OPERATOR');
    await person(world.core, 'operator2', 'OPERATOR');
    await person(world.core, 'viewer1', 'VIEWER');
    // The accounts were made by the database's clock; the product runs on the test's, weeks earlier.
    await world.core.db.prisma.operatorUser.updateMany({ data: { sessionsValidFrom: new Date(0) } });
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    book.expectClean();
    await browser?.close();
    await world?.stop();
    await fakeTg?.close();
    await fakeWa?.close();
    await database?.drop();
  });

  it('Telegram: a parent writes with a photo, the operator answers with a canned reply, a new message appears by itself, the close brings the menu back', async () => {
    // An admin keeps a canned reply in Kazakh.
    const admin = await open();
    await login(admin, world.base, 'admin1');
    await admin.goto(`${world.base}/admin/inbox/canned`);
    const form = admin.locator('[data-k=new-canned]');
    await form.getByLabel('Язык').selectOption('kk');
    await form.getByLabel('Название').fill('Қалпына келтірілді');
    await form.getByLabel('Текст').fill('Сәлеметсіз бе! Өтінішіңіз кезекке қайтарылды.');
    await form.getByRole('button', { name: 'Сохранить' }).click();
    expect(await admin.getByRole('status').textContent()).toBe('Готовый ответ «Қалпына келтірілді» сохранён.');

    const { user } = await telegramParent('kk', 17_201);
    await tgPress(user, t('kk', 'menu.write'));
    await tgSend(textMessage(user, 'Өтінішім <img src=x onerror=alert(1)> стоп-парақта'));
    const photo = fakeTg.addFile(JPEG, { name: 'spravka.jpg', mime: 'image/jpeg' });
    await tgSend(photoMessage(user, [photo], 'Анықтама'));

    const page = await open();
    await login(page, world.base, 'operator1');
    await page.getByRole('link', { name: 'Обращения' }).click();
    const row = page.locator('[data-thread]').first();
    expect(await row.locator('td').nth(1).textContent()).toBe('Telegram');
    expect(await row.locator('td').nth(2).textContent()).toBe('Қаз');
    await shot(page, 'inbox-list');
    await row.getByRole('link').click();
    // The parent's words as text, never as markup.
    expect(await page.locator('.msg.from-parent .text').first().textContent()).toBe('Өтінішім <img src=x onerror=alert(1)> стоп-парақта');
    expect(await page.locator('.msg.from-parent .text img').count()).toBe(0);
    const thumb = page.locator('img.thumb');
    await expect.poll(() => thumb.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(1);

    // The parent writes again while the operator looks: it appears without a reload.
    await tgSend(textMessage(user, 'Тағы бір сұрақ'));
    await page.locator('.msg', { hasText: 'Тағы бір сұрақ' }).waitFor({ timeout: 10_000 });

    await page.getByLabel('Готовый ответ').selectOption({ label: 'Қалпына келтірілді' });
    expect(await page.locator('#reply-text').inputValue()).toBe('Сәлеметсіз бе! Өтінішіңіз кезекке қайтарылды.');
    await page.getByRole('button', { name: 'Отправить', exact: true }).click();
    expect(await page.getByRole('status').textContent()).toBe('Ответ отправлен.');
    await shot(page, 'inbox-thread-telegram');
    expect((await tick()).sent).toBe(1);
    expect(fakeTg.lastMessage(user.id)!.text).toBe(`${t('kk', 'support.replyTitle')}\n\nСәлеметсіз бе! Өтінішіңіз кезекке қайтарылды.`);
    await page.reload();
    expect(await page.locator('[data-k=delivery]').last().textContent()).toBe('доставлено в чат');

    await page.getByRole('button', { name: 'Закрыть обращение' }).click();
    await page.waitForURL(/\/admin\/inbox$/);
    expect(await page.getByRole('status').textContent()).toBe('Обращение закрыто, родитель уведомлён.');
    expect((await tick()).sent).toBe(1);
    const closed = fakeTg.lastMessage(user.id)!;
    expect(closed.text).toBe(t('kk', 'support.closed'));
    expect(closed.inline!.flat().map((b) => b.text)).toContain(t('kk', 'menu.extend'));

    const actions = (await world.core.db.prisma.auditEntry.findMany({ where: { action: { startsWith: 'support.' } }, orderBy: { id: 'asc' } })).map((a) => [
      a.username,
      a.action,
    ]);
    // Every opening of the parent's photo is a trace of its own (the page showed it three times).
    expect(actions.filter(([, a]) => a !== 'support.file')).toEqual([
      ['operator1', 'support.reply'],
      ['operator1', 'support.close'],
    ]);
    expect(actions.filter(([, a]) => a === 'support.file').length).toBeGreaterThanOrEqual(1);
  });

  it('WhatsApp: inside the window the answer goes at once; outside it the console says so, the template goes, and the tap brings the answer', async () => {
    const f = await family(world.core.db.prisma, { locale: 'ru' });
    const u = waUser(f.waId);
    await identify(u, f, 'ru');
    await u.tap({ type: 'command', name: 'write' });
    await u.say('Направление в садик истекло, пока я была в больнице');

    const page = await open();
    await login(page, world.base, 'operator2');
    await page.goto(`${world.base}/admin/inbox`);
    await page.locator('[data-thread]', { hasText: 'WhatsApp' }).getByRole('link').click();
    expect(await page.locator('[data-k=window]').count()).toBe(0);
    await page.locator('#reply-text').fill('Подойдите в отдел с выпиской из больницы.');
    await page.getByRole('button', { name: 'Отправить', exact: true }).click();
    expect((await tick()).sent).toBe(1);
    expect(waSent(f.waId).at(-1)!.body).toBe(`${t('ru', 'support.replyTitle')}\n\nПодойдите в отдел с выпиской из больницы.`);

    // A day and more later the window is shut: the console says so and offers the template.
    clock.advance(25 * HOUR);
    await page.goto(`${world.base}/admin/inbox?filter=open`);
    // The session ended meanwhile (idle): signing in again leads back here.
    if (new URL(page.url()).pathname === '/admin/login') {
      await page.getByLabel('Имя пользователя').fill('operator2');
      await page.getByLabel('Пароль').fill(PASSWORD);
      await page.getByRole('button', { name: 'Войти' }).click();
      await page.waitForURL(/\/admin\/inbox/);
    }
    await page.locator('[data-thread]', { hasText: 'WhatsApp' }).getByRole('link').click();
    expect(await page.locator('[data-k=window]').textContent()).toContain('больше 24 часов');
    await page.locator('#reply-text').fill('Ваше направление продлено до пятницы.');
    await page.getByRole('button', { name: 'Отправить через шаблон' }).click();
    expect(await page.getByRole('status').textContent()).toBe('Шаблон отправлен; ответ уйдёт, когда родитель откроет чат.');
    expect(await page.locator('[data-k=delivery]').last().textContent()).toBe('в очереди');
    // The template goes; the answer waits for the window.
    expect((await tick()).sent).toBe(1);
    const template = fakeWa.accepted(f.waId).at(-1)!;
    expect(template).toMatchObject({ type: 'template', template: { name: 'kg_queue_support_answer', language: { code: 'ru' } } });
    await page.reload();
    expect(await page.locator('[data-k=delivery]').last().textContent()).toBe('ждёт, пока родитель откроет чат');
    await shot(page, 'inbox-thread-whatsapp-window-closed');

    const payload = template.template.components.find((c: { type: string }) => c.type === 'button').parameters[0].payload;
    await u.send({ ...wa.templateButton(f.waId, payload, 'Прочитать ответ'), timestamp: String(Math.floor(clock.now().getTime() / 1000)) });
    expect((await tick()).sent).toBe(1);
    expect(waSent(f.waId).at(-1)!.body).toBe(`${t('ru', 'support.replyTitle')}\n\nВаше направление продлено до пятницы.`);
    expect((await tick()).sent).toBe(0);
  });

  it('two operators on one conversation: the second is shown the first answer before anything goes; a double submit sends once', async () => {
    const { user } = await telegramParent('ru', 17_202);
    await tgPress(user, t('ru', 'menu.write'));
    await tgSend(textMessage(user, 'Когда будет направление?'));
    const first = await open();
    const second = await open();
    await login(first, world.base, 'operator1');
    await login(second, world.base, 'operator2');
    for (const p of [first, second]) {
      await p.goto(`${world.base}/admin/inbox`);
      await p.locator('[data-thread]', { hasText: 'Telegram' }).first().getByRole('link').click();
    }
    await first.locator('#reply-text').fill('Направления выдаются по мере освобождения мест.');
    await first.getByRole('button', { name: 'Отправить', exact: true }).click();
    await second.locator('#reply-text').fill('Ожидайте, пожалуйста.');
    await second.getByRole('button', { name: 'Отправить', exact: true }).click();
    expect(await second.locator('[data-k=collision]').textContent()).toContain('operator1');
    expect(await second.locator('[data-k=collision] blockquote').textContent()).toBe('Направления выдаются по мере освобождения мест.');
    expect(await second.locator('#reply-text').inputValue()).toBe('Ожидайте, пожалуйста.');
    await shot(second, 'inbox-collision');

    // The first operator's form, submitted again (a double click, a resubmitted page): nothing new.
    const thread = await world.core.db.prisma.supportThread.findFirstOrThrow({ where: { chatId: String(user.id) } });
    const sent = await world.core.db.prisma.supportMessage.findFirstOrThrow({ where: { threadId: thread.id, author: 'OPERATOR' } });
    const again = await first.request.post(`${world.base}/admin/inbox/${thread.id}/reply`, {
      form: { _csrf: await csrfOf(first), replyKey: sent.key.replace(/^reply:/, ''), seen: '0', text: 'Направления выдаются по мере освобождения мест.' },
      maxRedirects: 0,
    });
    expect(again.status()).toBe(303);
    expect(await world.core.db.prisma.supportMessage.count({ where: { threadId: thread.id, author: 'OPERATOR' } })).toBe(1);
    const before = fakeTg.chat(user.id).length;
    expect((await tick()).sent).toBe(1);
    expect(
      fakeTg
        .chat(user.id)
        .slice(before)
        .map((m) => m.text),
    ).toEqual([`${t('ru', 'support.replyTitle')}\n\nНаправления выдаются по мере освобождения мест.`]);
  });

  it('a viewer reads the inbox with personal data masked and cannot answer', async () => {
    const page = await open();
    await login(page, world.base, 'viewer1');
    await page.goto(`${world.base}/admin/inbox?filter=open`);
    await page.locator('[data-thread]').first().getByRole('link').click();
    expect(await page.locator('[data-k=reply]').count()).toBe(0);
    expect(await page.locator('[data-k=about] h2').textContent()).toMatch(/^\S\*\*\*( \S\*\*\*)*$/);
    const id = new URL(page.url()).pathname.split('/').at(-1);
    const refused = await page.request.post(`${world.base}/admin/inbox/${id}/close`, { form: { _csrf: await csrfOf(page) }, maxRedirects: 0 });
    expect(refused.status()).toBe(403);
    await shot(page, 'inbox-viewer');
  });

  it('a restart between the reply and its delivery delivers it once', async () => {
    const { user } = await telegramParent('ru', 17_203);
    await tgPress(user, t('ru', 'menu.write'));
    await tgSend(textMessage(user, 'Проверьте, пожалуйста, мою анкету'));
    const page = await open();
    await login(page, world.base, 'operator1');
    await page.goto(`${world.base}/admin/inbox`);
    await page.locator('[data-thread]').first().getByRole('link').click();
    await page.locator('#reply-text').fill('Анкета в порядке.');
    await page.getByRole('button', { name: 'Отправить', exact: true }).click();
    expect(await page.getByRole('status').textContent()).toBe('Ответ отправлен.');

    // The process stops before the dispatcher's tick; another starts on the same database. The
    // pages go first: a live inbox page would keep asking the stopped server for news.
    await book.closeAll();
    await world.stop();
    world = await startWorld(false);
    const before = fakeTg.chat(user.id).length;
    expect((await tick()).sent).toBe(1);
    expect((await tick()).sent).toBe(0);
    expect(
      fakeTg
        .chat(user.id)
        .slice(before)
        .map((m) => m.text),
    ).toEqual([`${t('ru', 'support.replyTitle')}\n\nАнкета в порядке.`]);
  });
});

async function csrfOf(page: Page): Promise<string> {
  return (await page.locator('input[name=_csrf]').first().getAttribute('value'))!;
}
