/**
 * What a parent and a reviewer notice, on WhatsApp (issue: conversation quality): each through
 * signed webhook deliveries and the fake Graph API, in Kazakh and Russian.
 */
import { describe, expect, it } from 'vitest';
import type { Locale } from '../../src/conversation/core/views.ts';
import { createTranslator } from '../../src/i18n/translator.ts';
import { wa } from '../../test-support/fakes/whatsapp-webhook.ts';
import { family, identify, useWhatsApp, type Family, type WaUser } from './harness.ts';

const tr = await createTranslator({ portal: 'https://egov.kz', supportPhone: '1414' });
const waTr = tr.variant('wa');

describe.each(['kk', 'ru'] as Locale[])('WhatsApp: every screen right (%s, embedded database)', (locale) => {
  const h = useWhatsApp('embedded');
  const t = (key: string, params?: Parameters<typeof tr.t>[2]) => tr.t(locale, key, params);
  const rows = (u: WaUser) => u.interactive.controls;

  async function atQuestion1(): Promise<{ f: Family; u: WaUser }> {
    const f = await family(h.prisma());
    const u = h.user(f.waId);
    await identify(u, f, locale);
    await u.tap({ type: 'command', name: 'extend' });
    expect(u.text).toContain(t('questionnaire.progress', { n: 1, total: 6 }));
    return { f, u };
  }

  async function atQuestion5() {
    const { f, u } = await atQuestion1();
    await u.tap({ type: 'toggle', value: String(f.kindergartens[0]!.id) });
    await u.tap({ type: 'done' });
    await u.tap({ type: 'choose', value: 'ANY' });
    await u.tap({ type: 'choose', value: 'KK' });
    await u.tap({ type: 'choose', value: '10000' });
    expect(u.text).toContain(t('q5.prompt'));
    return { f, u };
  }

  it("every title is written for WhatsApp's limits (none cut), and nothing the platform refuses is sent", async () => {
    const { u } = await atQuestion5();
    await u.tap({ type: 'done' });
    await u.tap({ type: 'done' });
    await u.tap({ type: 'command', name: 'menu' });
    await u.tap({ type: 'command', name: 'applications' });
    const titles = u.all.flatMap((s) => s.controls.map((c) => c.title));
    expect(titles.length).toBeGreaterThan(30);
    expect(titles.filter((x) => x.endsWith('…') && x !== t('common.more'))).toEqual([]);
    expect(h.fake.rejected()).toEqual([]);
  });

  it("question 1: Done with nothing chosen says so in words; the chosen are ranked, a ✖ row removes one; the portal's note is there", async () => {
    const { f, u } = await atQuestion1();
    expect(u.text).toContain(t('q1.note'));
    await u.tap({ type: 'done' });
    expect(u.last[0]!.body).toBe(t('q1.min', { count: 1 }));
    expect(u.last[0]!.body).not.toMatch(/q1\.min|\{\{/);
    const [k1, k2] = f.kindergartens;
    await u.tap({ type: 'toggle', value: String(k2!.id) });
    await u.tap({ type: 'toggle', value: String(k1!.id) });
    expect(u.text).toMatch(/1\. №2 .*, 2\. №1 /);
    await u.say('10');
    // The ✖ rows in the other actions; the first removes the 1st choice.
    const remove = u.last.flatMap((s) => s.controls).find((c) => c.title.startsWith('✖') && c.title.includes('1'))!;
    expect(remove.title).toBe(waTr.t(locale, 'q1.remove', { n: 1, label: { key: 'kindergarten.short', params: { number: 2, name: 'x' } } }));
    await u.tapIn(u.last, remove.title);
    expect(u.text).toMatch(/1\. №1 /);
    expect(u.text).not.toMatch(/2\. №/);
  });

  it("question 5: rows carry their numbers; typed numbers choose exactly those, Other's text kept", async () => {
    const { u } = await atQuestion5();
    const first = rows(u).filter((r) => r.id.includes('.t.'));
    expect(first[0]!.title).toBe(`1. ${waTr.t(locale, 'options.sections.football')}`);
    await u.tap({ type: 'toggle', value: 'football', on: true });
    await u.say('4, 7');
    const ticked = () =>
      rows(u)
        .filter((r) => r.title.startsWith('✅ ') && r.id.includes('.t.'))
        .map((r) => r.id.split('.')[2]);
    expect(ticked()).toEqual(['chess', 'extendedDay']);
    await u.say('4, 13');
    expect(u.text).toContain(t('questionnaire.otherPrompt', { max: 200 }));
    await u.say('Домбыра');
    await u.say('2 13');
    expect(u.text).toContain(t('questionnaire.otherGiven', { text: 'Домбыра' }));
    expect(ticked()).toEqual(['sportDance']);
    await u.tap(tr.t(locale, 'common.more'));
    expect(ticked()).toEqual(['other']);
  });

  it('question 2\'s "why" per option; question 6 asks about the personal account, each feature described in its row', async () => {
    const { f, u } = await atQuestion1();
    await u.tap({ type: 'toggle', value: String(f.kindergartens[0]!.id) });
    await u.tap({ type: 'done' });
    await u.tap({ type: 'choose', value: 'PRIVATE' });
    expect(u.text).toContain(tr.render(locale, { key: 'q2.whyPrompt', params: { context: 'PRIVATE' } }));
    await u.tap({ type: 'choose', value: 'COST' });
    await u.tap({ type: 'choose', value: 'RU' });
    expect(u.text).toContain(t('q4.note'));
    await u.tap({ type: 'choose', value: '10000' });
    await u.tap({ type: 'done' });
    expect(u.text).toContain(t('q6.prompt'));
    const described = rows(u).filter((r) => r.id.includes('.t.') && r.description);
    expect(described.map((r) => r.description)).toEqual(
      ['invoices', 'cashless', 'absenceRecalculation', 'attendance', 'healthPassport', 'portfolio', 'teacherProfile'].map((k) => t(`options.digitalInfo.${k}`)),
    );
    // The Telegram-only "What do these mean?" button is not among the rows.
    expect(rows(u).some((r) => r.id.endsWith('.c.explain'))).toBe(false);
  });

  it('"Near me" sends WhatsApp\'s own location request; distances with a decimal comma', async () => {
    const { f, u } = await atQuestion1();
    await u.tap({ type: 'choose', value: 'near' });
    expect(u.last.map((s) => s.kind)).toEqual(['location_request_message']);
    await u.send(wa.location(f.waId, 43.205, 76.905));
    const picker = u.last.find((x) => x.kind === 'list')!;
    expect(picker.controls[0]!.description).toMatch(/^0,\d км; /);
  });

  it('a sticker or bad numbers get the notice alone (the list is unchanged); a search sends the changed list', async () => {
    const { f, u } = await atQuestion1();
    await u.send(wa.sticker(f.waId));
    expect(u.last).toEqual([expect.objectContaining({ kind: 'text', body: t('common.useButtons') })]);
    await u.say('3');
    expect(u.text).toContain(t('q1.searchResults', { query: '3', count: 1 }));
    expect(rows(u).some((r) => r.id.includes(`.t.${f.kindergartens[2]!.id}.`))).toBe(true);
    await u.tap({ type: 'toggle', value: String(f.kindergartens[2]!.id) });
    await u.tap({ type: 'done' });
    await u.tap({ type: 'choose', value: 'ANY' });
    await u.tap({ type: 'choose', value: 'KK' });
    await u.tap({ type: 'choose', value: '10000' });
    await u.say('футбол керек');
    expect(u.last).toEqual([expect.objectContaining({ kind: 'text', body: t('questionnaire.badNumbers', { max: 13 }) })]);
  });

  it('identification locked: any message shows the lock and its end, never the IIN prompt again', async () => {
    const f = await family(h.prisma());
    const stranger = (await family(h.prisma())).parentIin;
    const u = h.user(f.waId);
    await u.say('Сәлем');
    await u.tap({ type: 'choose', value: locale });
    for (let i = 0; i < 5; i++) await u.say(stranger);
    const locked = u.last.at(-1)!.body;
    expect(locked).toMatch(/\d\d\.\d\d\.\d{4} \d\d:\d\d/);
    await u.say('/menu');
    expect(u.last.map((s) => s.body)).toEqual([locked]);
    await u.say(f.parentIin);
    expect(u.last.map((s) => s.body)).toEqual([locked]);
  });

  it("a questionnaire left on question 1 with a kindergarten ticked resumes there from the reminder template's button, the tick kept", async () => {
    const { f, u } = await atQuestion1();
    await u.tap({ type: 'toggle', value: String(f.kindergartens[1]!.id) });
    await u.say('/menu');
    await u.send(wa.templateButton(f.waId, 'x.extend', tr.t(locale, 'campaign.reminder.button')));
    expect(u.last[0]!.body).toBe(t('questionnaire.resume'));
    expect(u.text).toContain(t('questionnaire.progress', { n: 1, total: 6 }));
    const picker = u.last.find((x) => x.kind === 'list')!;
    expect(picker.controls.find((r) => r.id.includes(`.t.${f.kindergartens[1]!.id}.`))!.title.startsWith('✅ ')).toBe(true);
  });

  it('a parent who never wrote to the bot taps "Extend" on the template sent to the registry phone: straight to the IIN, in the template\'s language', async () => {
    const f = await family(h.prisma(), { locale });
    const u = h.user(f.waId);
    await u.send(wa.templateButton(f.waId, 'x.extend', tr.t(locale, 'campaign.reminder.button')));
    expect(u.text).not.toContain(tr.t('ru', 'language.prompt'));
    expect(u.text).toContain(t('whatsapp.identifyIntro'));
    expect(u.interactive.body).toBe(t('identify.iinPrompt'));
    await u.say(f.parentIin);
    expect(u.text).toContain(t('identify.welcome'));
  });

  it('a forged restore row naming another parent\'s application: "not found", the number never echoed', async () => {
    const f = await family(h.prisma());
    const other = await family(h.prisma());
    const db = h.prisma();
    await db.application.update({ where: { id: f.applicationIds[1]! }, data: { status: 'STOP_LISTED', stopListedAt: new Date() } });
    const theirs = await db.application.update({
      where: { id: other.applicationIds[0]! },
      data: { status: 'STOP_LISTED', stopListedAt: new Date(), queueNumber: 1159 },
    });
    const u = h.user(f.waId);
    await identify(u, f, locale);
    await u.tap({ type: 'command', name: 'restore' });
    const seq = rows(u)[0]!.id.split('.')[0];
    await u.send(wa.listReply(f.waId, `${seq}.c.a${theirs.id}`, 'x'));
    expect(u.last.map((s) => s.body)).toEqual([t('restore.notFound')]);
    expect(JSON.stringify(h.fake.accepted(f.waId))).not.toContain('1159');
  });
});
