/**
 * Whole WhatsApp conversations over HTTP: signed webhook deliveries in, messages to the fake Graph
 * API out, on the embedded database and on PostgreSQL.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createTranslator } from '../../src/i18n/translator.ts';
import { TEST_DB_KINDS } from '../../test-support/db.ts';
import { wa } from '../../test-support/fakes/whatsapp-webhook.ts';
import { family, identify, SEASON, summarise, useWhatsApp, type Harness } from './harness.ts';

const tr = await createTranslator({ portal: 'https://egov.kz', supportPhone: '1414' });
const progress = (locale: 'kk' | 'ru', n: number) => tr.render(locale, { key: 'questionnaire.progress', params: { n, total: 6 } });

async function answers(h: Harness, parentId: number) {
  const q = await h.prisma().questionnaire.findFirstOrThrow({
    where: { parentId },
    include: { kindergartens: { orderBy: { rank: 'asc' } } },
  });
  return { ...q, kindergartenIds: q.kindergartens.map((k) => k.kindergartenId) };
}

describe.each(TEST_DB_KINDS)('WhatsApp conversation over the webhook (%s)', (kind) => {
  const h = useWhatsApp(kind);

  afterEach(() => {
    // Whatever the test did, the bot never sent anything the platform would refuse.
    expect(h.fake.rejected().map((c) => c.rejected)).toEqual([]);
  });

  it('ru: identification by wa_id + IIN, six questions with Back, paging, typed numbers and an edit; the extension is in the database', async () => {
    const f = await family(h.prisma());
    const u = h.user(f.waId, { userId: 'KZ.1390458234598273' });

    // Any first message opens the conversation with the language choice (reply buttons).
    await u.say('Здравствуйте');
    expect(u.interactive.kind).toBe('button');
    expect(u.interactive.body).toBe(tr.t('ru', 'language.prompt'));
    expect(u.interactive.controls.map((c) => c.title)).toEqual(['Қазақша', 'Русский']);

    // The sender's number is proven by WhatsApp: straight to the IIN.
    await u.tap({ type: 'choose', value: 'ru' });
    expect(u.text).toContain(tr.t('ru', 'whatsapp.identifyIntro'));
    expect(u.interactive.body).toBe(tr.t('ru', 'identify.iinPrompt'));

    await u.say('123');
    expect(u.text).toContain(tr.t('ru', 'identify.iinInvalid.format'));
    await u.say(f.childIin);
    expect(u.text).toContain(tr.t('ru', 'identify.welcome'));
    expect(u.interactive.kind).toBe('list');
    expect(u.interactive.body).toBe(tr.t('ru', 'menu.title'));

    // Question 1: the kindergarten picker, a list with its own data paging.
    await u.tap({ type: 'command', name: 'extend' });
    expect(u.text).toContain('Вопрос 1 из 6');
    expect(u.text).toContain('Страница 1 из 2');
    await u.tap({ type: 'page', page: 1 });
    expect(u.text).toContain('Страница 2 из 2');
    const kg10 = f.kindergartens.find((k) => k.number === 10)!;
    await u.tap({ type: 'toggle', value: String(kg10.id) });
    expect(u.interactive.controls.find((c) => c.id.includes(`.t.${kg10.id}.`))!.title).toBe('✅ № 10 Балапан-10');
    // A typed number searches.
    await u.say('3');
    const kg3 = f.kindergartens.find((k) => k.number === 3)!;
    const row3 = u.interactive.controls.find((c) => c.id.includes(`.t.${kg3.id}.`))!;
    // Its long registry name gives way to number and proper name in the row's title, nothing cut;
    // the description is the details, whole.
    expect(row3.title).toBe('№ 3 Солнышко');
    expect(row3.description).toMatch(/^гос\., каз\., рус\.; заявок \d+ на 120 мест$/);
    await u.tap({ type: 'toggle', value: String(kg3.id) });
    // The choices in their order; kindergarten 3 carries its number in its name, so it is not prefixed with it again.
    expect(u.text).toContain(`Ваш выбор по порядку: 1. №10 ${kg10.nameRu}, 2. ${kg3.nameRu}`);
    await u.tap({ type: 'done' });

    // Question 2 (4 buttons: a list), its "why" and question 3 (3 buttons: reply buttons), with Back.
    expect(u.text).toContain('Вопрос 2 из 6');
    expect(u.interactive.kind).toBe('list');
    await u.tap({ type: 'choose', value: 'STATE' });
    expect(u.interactive.kind).toBe('button');
    await u.tap({ type: 'choose', value: 'COST' });
    expect(u.text).toContain('Вопрос 3 из 6');
    await u.tap({ type: 'back' });
    expect(u.text).toContain(tr.render('ru', { key: 'q2.whyPrompt', params: { context: 'STATE' } }));
    expect(u.interactive.controls.find((c) => c.id.endsWith('.c.COST'))!.title).toBe('✅ Стоимость');
    await u.tap({ type: 'choose', value: 'QUALITY' });
    await u.tap({ type: 'choose', value: 'RU' });

    // Question 4: 12 brackets + Back do not fit one list: pages with "More…".
    expect(u.text).toContain('Вопрос 4 из 6');
    expect(u.interactive.controls).toHaveLength(10);
    expect(u.interactive.controls.some((c) => c.id.endsWith('.c.110000'))).toBe(false);
    await u.tap(tr.t('ru', 'common.more'));
    expect(u.interactive.controls.map((c) => c.title)).toContain('до 110\u00a0000 ₸');
    await u.tap({ type: 'choose', value: '70000' });

    // Question 5: multi-select by taps (ticks come back) and by typed numbers, across pages.
    expect(u.text).toContain('Вопрос 5 из 6');
    await u.tap({ type: 'toggle', value: 'chess', on: true });
    expect(u.interactive.controls.find((c) => c.id.includes('.t.chess.'))!.title).toBe('✅ 4. Шахматы');
    // Typed numbers choose exactly those options: chess, ticked before, is no longer chosen.
    await u.say('1, 6, 9');
    const titles = u.interactive.controls.map((c) => c.title);
    expect(titles).toContain('✅ 1. Футбол');
    expect(titles).toContain('4. Шахматы');
    expect(titles).toContain('✅ 6. Рисование');
    await u.tap({ type: 'page', page: 1 });
    expect(u.interactive.controls.find((c) => c.id.includes('.t.karate.'))!.title).toBe('✅ 9. Каратэ');
    await u.tap({ type: 'toggle', value: 'karate', on: false });
    expect(u.interactive.controls.find((c) => c.id.includes('.t.karate.'))!.title).toBe('9. Каратэ');
    await u.tap({ type: 'done' });

    // Question 6: typed numbers, then Done.
    expect(u.text).toContain('Вопрос 6 из 6');
    await u.say('2 3');
    await u.tap({ type: 'done' });

    // Summary; edit question 4 and come back to the summary.
    expect(u.text).toContain(tr.t('ru', 'summary.title'));
    expect(u.text).toContain('4. Оплата в месяц: до 70\u00a0000 ₸');
    await u.tap({ type: 'choose', value: 'e4' });
    expect(u.text).toContain('Вопрос 4 из 6');
    await u.tap({ type: 'choose', value: '25000' });
    expect(u.text).toContain('4. Оплата в месяц: до 25\u00a0000 ₸');
    await u.tap({ type: 'choose', value: 'confirm' });
    expect(u.text).toContain('2 заявления продлены до 25.12.2027');

    const q = await answers(h, f.parentId);
    expect(q).toMatchObject({
      ownership: 'STATE',
      ownershipReason: 'QUALITY',
      language: 'RU',
      maxPayment: 25000,
      sections: ['football', 'drawing'],
      digital: ['cashless', 'absenceRecalculation'],
      channel: 'WHATSAPP',
    });
    expect(q.kindergartenIds).toEqual([kg10.id, kg3.id]);
    const apps = await h.prisma().application.findMany({ where: { id: { in: f.applicationIds } } });
    expect(apps.map((a) => a.validUntil.toISOString())).toEqual([SEASON.validUntil.toISOString(), SEASON.validUntil.toISOString()]);

    // The chat is linked, with its window and the business-scoped user id.
    const link = await h.prisma().chatLink.findUniqueOrThrow({ where: { channel_chatId: { channel: 'WHATSAPP', chatId: f.waId } } });
    expect(link).toMatchObject({ parentId: f.parentId, locale: 'ru', externalUserId: 'KZ.1390458234598273', unreachableAt: null });
    expect(link.lastInboundAt).not.toBeNull();
  });

  it('kk: a wrong IIN, "Other" by typed number, Back from question 3, an edit with the follow-up question; the extension is in the database', async () => {
    const f = await family(h.prisma());
    const u = h.user(f.waId);
    await u.say('Сәлем');
    await u.tap('Қазақша');
    expect(u.text).toContain(tr.t('kk', 'whatsapp.identifyIntro'));
    expect(u.interactive.body).toBe(tr.t('kk', 'identify.iinPrompt'));

    const stranger = (await family(h.prisma())).parentIin;
    await u.say(stranger);
    expect(u.text).toContain(tr.render('kk', { key: 'identify.iinMismatch', params: { count: 4 } }));
    await u.say(f.parentIin);
    expect(u.text).toContain(tr.t('kk', 'identify.welcome'));

    await u.tap(tr.variant('wa').t('kk', 'menu.extend'));
    expect(u.text).toContain(progress('kk', 1));
    const kg1 = f.kindergartens[0]!;
    await u.tap({ type: 'toggle', value: String(kg1.id) });
    await u.tap({ type: 'done' });
    await u.tap({ type: 'choose', value: 'ANY' });
    // ANY skips the "why"; Back from question 3 returns to question 2.
    expect(u.text).toContain(progress('kk', 3));
    await u.tap({ type: 'back' });
    expect(u.text).toContain(tr.t('kk', 'q2.prompt'));
    await u.tap({ type: 'choose', value: 'PRIVATE' });
    await u.tap({ type: 'choose', value: 'QUALITY' });
    await u.tap({ type: 'choose', value: 'KK' });
    await u.tap({ type: 'choose', value: '10000' });

    // "13" is Other: its text is asked for.
    await u.say('4, 13');
    expect(u.text).toContain(tr.render('kk', { key: 'questionnaire.otherPrompt', params: { max: 200 } }));
    await u.say('Домбыра үйірмесі');
    // Back at question 5 with the text shown and "Other" ticked.
    expect(u.text).toContain(tr.render('kk', { key: 'questionnaire.otherGiven', params: { text: 'Домбыра үйірмесі' } }));
    await u.tap({ type: 'done' });
    expect(u.text).toContain(progress('kk', 6));
    await u.tap({ type: 'done' });
    expect(u.text).toContain(tr.t('kk', 'summary.title'));

    await u.tap({ type: 'choose', value: 'e2' });
    await u.tap({ type: 'choose', value: 'STATE' });
    await u.tap({ type: 'choose', value: 'COST' });
    expect(u.text).toContain(tr.t('kk', 'summary.title'));
    await u.tap({ type: 'choose', value: 'confirm' });
    expect(u.text).toContain(tr.render('kk', { key: 'extend.done', params: { count: 2, validUntil: { date: SEASON.validUntil.toISOString() } } }));

    const q = await answers(h, f.parentId);
    expect(q).toMatchObject({
      ownership: 'STATE',
      ownershipReason: 'COST',
      language: 'KK',
      maxPayment: 10000,
      sections: ['chess', 'other'],
      sectionsOther: 'Домбыра үйірмесі',
      digital: [],
      channel: 'WHATSAPP',
    });
    expect(q.kindergartenIds).toEqual([kg1.id]);
    const extended = await h.prisma().application.count({ where: { id: { in: f.applicationIds }, validUntil: SEASON.validUntil } });
    expect(extended).toBe(2);
    expect((await h.prisma().parent.findUniqueOrThrow({ where: { id: f.parentId } })).locale).toBe('kk');
  });

  it('a tap on an old message is stale: a notice only (the current step is below, unchanged), nothing changes', async () => {
    const f = await family(h.prisma());
    const u = h.user(f.waId);
    await identify(u, f, 'ru');
    await u.tap({ type: 'command', name: 'extend' });
    const q1 = u.last;
    await u.tap({ type: 'toggle', value: String(f.kindergartens[1]!.id) });
    await u.tap({ type: 'done' });
    expect(u.text).toContain('Вопрос 2 из 6');

    await u.tapIn(q1, { type: 'done' });
    expect(u.last).toEqual([expect.objectContaining({ kind: 'text', body: tr.t('ru', 'common.stale') })]);
    // A forged id is stale too.
    await u.send(wa.buttonReply(f.waId, '99.z.forged', 'Forged'));
    expect(u.last).toEqual([expect.objectContaining({ kind: 'text', body: tr.t('ru', 'common.stale') })]);
    // The conversation is where it was: question 2, as shown before the stale taps, answers.
    await u.tapIn(u.all, { type: 'choose', value: 'ANY' });
    expect(u.text).toContain('Вопрос 3 из 6');
  });

  it('free text at a button step gets a hint (the question is right above, not sent again); an unsupported message gets "use the buttons" in the parent\'s language', async () => {
    const f = await family(h.prisma());
    const u = h.user(f.waId);
    await identify(u, f, 'kk');
    await u.tap({ type: 'command', name: 'extend' });
    await u.tap({ type: 'toggle', value: String(f.kindergartens[0]!.id) });
    await u.tap({ type: 'done' });

    await u.say('мемлекеттік болса жақсы');
    expect(u.last).toEqual([expect.objectContaining({ kind: 'text', body: tr.t('kk', 'common.useButtons') })]);

    await u.send(wa.sticker(f.waId));
    expect(u.last).toEqual([expect.objectContaining({ body: tr.t('kk', 'common.useButtons') })]);
    await u.send(wa.audio(f.waId));
    expect(u.last).toEqual([expect.objectContaining({ body: tr.t('kk', 'common.useButtons') })]);
  });

  it('a sender whose number is not in the registry is told so, and never asked for an IIN', async () => {
    await family(h.prisma());
    const u = h.user('77079990011');
    await u.say('Привет');
    await u.tap({ type: 'choose', value: 'ru' });
    expect(u.text).toContain(tr.t('ru', 'identify.phoneNotFound'));
    expect(u.text).not.toContain(tr.t('ru', 'identify.iinPrompt'));
    // Writing again checks the number again, with the same answer and no loop.
    await u.say('Я точно в очереди');
    expect(u.text).toContain(tr.t('ru', 'identify.phoneNotFound'));
    expect(u.last.length).toBeLessThanOrEqual(3);
    // A foreign number cannot be in the registry either.
    const foreign = h.user('4915112345678');
    await foreign.say('Hallo');
    await foreign.tap({ type: 'choose', value: 'ru' });
    expect(foreign.text).toContain(tr.t('ru', 'identify.phoneNotFound'));
  });

  it('a rate-limit error, then success: the reply is retried and delivered', async () => {
    const f = await family(h.prisma());
    const u = h.user(f.waId);
    h.fake.fail({ code: 130429, to: f.waId });
    h.fake.fail({ code: 4, httpStatus: 429, to: f.waId, retryAfter: 0 });
    await u.say('Сәлем');
    expect(u.interactive.body).toBe(tr.t('kk', 'language.prompt'));
    const calls = h.fake.calls.filter((c) => c.body?.to === f.waId);
    expect(calls.map((c) => c.faultCode ?? c.status)).toEqual([130429, 4, 200]);

    // The pair rate limit waits for that user, then sends.
    h.fake.fail({ code: 131056, to: f.waId });
    await u.tap({ type: 'choose', value: 'ru' });
    expect(u.interactive.body).toBe(tr.t('ru', 'identify.iinPrompt'));
  });

  it('a reply that cannot be delivered is logged; the answer itself is kept', async () => {
    const f = await family(h.prisma());
    const u = h.user(f.waId);
    await identify(u, f, 'ru');
    h.fake.fail({ code: 130429, to: f.waId, times: 10 });
    await u.tap({ type: 'command', name: 'extend' });
    expect(u.last).toEqual([]);
    // The step was taken: the next tap on the (unseen) screen continues from question 1.
    const state = await h.prisma().conversationState.findFirstOrThrow({ where: { chatId: f.waId } });
    expect(JSON.stringify(state)).toContain('"screen":"q1"');
    h.fake.clear();
    await u.say('Балапан-2');
    expect(u.text).toContain('Вопрос 1 из 6');
  });

  it('a template quick-reply button ("x.extend", "x.restore") starts that action; a location sorts kindergartens by distance', async () => {
    const f = await family(h.prisma());
    const u = h.user(f.waId);
    await identify(u, f, 'ru');
    await u.send(wa.templateButton(f.waId, 'x.restore', 'Восстановить'));
    expect(u.text).toContain(tr.t('ru', 'restore.none'));
    await u.send(wa.templateButton(f.waId, 'x.extend', 'Продлить'));
    expect(u.text).toContain('Вопрос 1 из 6');
    // WhatsApp's own "Send location" button, as the Cloud API's location request message.
    await u.tap({ type: 'choose', value: 'near' });
    expect(u.last).toHaveLength(1);
    expect(u.last[0]!.kind).toBe('location_request_message');
    expect(u.last[0]!.raw.interactive).toEqual({
      type: 'location_request_message',
      body: { text: tr.t('ru', 'q1.shareLocation') },
      action: { name: 'send_location' },
    });
    await u.send(wa.location(f.waId, 43.31, 77.01));
    expect(u.text).toContain(tr.t('ru', 'q1.sortedByDistance'));
    const picker = u.last.find((s) => s.kind === 'list')!;
    expect(picker.controls[0]!.description).toMatch(/км/);
    // A forged template payload is refused as stale.
    await u.send(wa.templateButton(f.waId, 'x.format-disk', 'Нажми'));
    expect(u.last[0]!.body).toBe(tr.t('ru', 'common.stale'));
  });

  it('keeps every request within the platform limits over a long session (menus, help, applications, language)', async () => {
    const f = await family(h.prisma());
    const u = h.user(f.waId);
    await identify(u, f, 'kk');
    for (const name of ['applications', 'questionnaire', 'help', 'restore', 'language'] as const) {
      await u.tap({ type: 'command', name });
      expect(u.last.length, summarise(u.last)).toBeGreaterThan(0);
      if (name !== 'language') await u.tap({ type: 'command', name: 'menu' });
    }
    await u.tap({ type: 'choose', value: 'ru' });
    expect(u.interactive.body).toBe(tr.t('ru', 'menu.title'));
    const sent = h.fake.accepted(f.waId);
    expect(sent.length).toBeGreaterThan(10);
    for (const body of sent) {
      if (body.type !== 'interactive') continue;
      expect(body.interactive.body.text.length).toBeLessThanOrEqual(1024);
    }
  });
});
