/**
 * Issue 15 on WhatsApp, end to end (signed webhook deliveries, the fake Graph API): a wa.me deep
 * link's code in the first message names the parent even from a number that is not the registry
 * phone; opting out by typed words (confirmed) and by the templates' Stop button (at once), for a
 * linked chat and for an unlinked registry phone.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { STOP_PAYLOAD } from '../../bots/whatsapp/templates.ts';
import { createTranslator } from '../../src/i18n/translator.ts';
import { TEST_DB_KINDS } from '../../test-support/db.ts';
import { createParent } from '../helpers/fixtures.ts';
import { wa } from '../../test-support/fakes/whatsapp-webhook.ts';
import { family, identify, NUMBER, SEASON, useWhatsApp, type Family, type Harness } from './harness.ts';

const tr = await createTranslator({ portal: 'https://egov.kz', supportPhone: '1414' });
const LINK_SECRET = 'whatsapp-links-test-secret-0123456789abcdef';
let nextNumber = 0;
/** A WhatsApp number in no registry row: the parent's WhatsApp is not on the phone the registry has. */
const otherNumber = () => `7708${String(3_000_000 + ++nextNumber).padStart(7, '0')}`;

async function waLink(h: Harness, f: Family): Promise<{ url: string; text: string }> {
  const url = await h.core.links.issueLink(h.prisma(), { parentId: f.parentId, phone: f.phone, expiresAt: SEASON.deadline, bot: 'WHATSAPP' }, h.clock.now());
  if (!url) throw new Error('WhatsApp deep links are off');
  return { url, text: new URL(url).searchParams.get('text')! };
}

describe.each(TEST_DB_KINDS)('WhatsApp deep links and opt-out (%s)', (kind) => {
  const h = useWhatsApp(kind, { LINK_SECRET, WHATSAPP_DISPLAY_NUMBER: `+${NUMBER.displayPhoneNumber}` });

  afterEach(() => {
    expect(h.fake.rejected().map((c) => c.rejected)).toEqual([]);
  });

  it.each(['kk', 'ru'] as const)(
    '%s: the code in the first message, from another number, goes straight to the IIN; the IIN links that chat',
    async (locale) => {
      const f = await family(h.prisma(), { locale });
      const { url, text } = await waLink(h, f);
      expect(url).toBe(`https://wa.me/${NUMBER.displayPhoneNumber}?text=${text}`);
      const u = h.user(otherNumber());

      await u.say(text);
      expect(u.last.map((s) => s.body)).toEqual([tr.t(locale, 'link.accepted'), tr.t(locale, 'identify.iinPrompt')]);
      expect(u.text).not.toContain(tr.t(locale, 'whatsapp.identifyIntro'));
      await u.say(f.childIin);
      expect(u.text).toContain(tr.t(locale, 'identify.welcome'));
      expect(u.interactive.body).toBe(tr.t(locale, 'menu.title'));
      const link = await h.prisma().chatLink.findUniqueOrThrow({ where: { channel_chatId: { channel: 'WHATSAPP', chatId: u.waId } } });
      expect(link.parentId).toBe(f.parentId);
    },
  );

  it('a refused code (used by another chat, or forged) gets one polite text and the usual identification, which knows no such number', async () => {
    const f = await family(h.prisma(), { locale: 'ru' });
    const { text } = await waLink(h, f);
    await h.user(otherNumber()).say(text);

    for (const code of [text, `L${'x'.repeat(23)}`]) {
      const u = h.user(otherNumber());
      await u.say(`Здравствуйте! ${code}`);
      expect(u.last.map((s) => s.body)).toEqual([tr.t('both', 'link.invalid'), tr.t('both', 'language.prompt')]);
      await u.tap({ type: 'choose', value: 'ru' });
      expect(u.text).toContain(tr.t('ru', 'identify.phoneNotFound'));
    }
  });

  it('typed "тоқтату" asks first; the confirmation stores the opt-out for WhatsApp', async () => {
    const f = await family(h.prisma(), { locale: 'kk' });
    const u = h.user(f.waId);
    await identify(u, f, 'kk');

    await u.say('тоқтату');
    expect(u.interactive.body).toBe(tr.t('kk', 'optOut.confirm'));
    expect(u.interactive.controls.map((c) => c.title)).toEqual([tr.t('kk', 'optOut.confirmButton'), tr.t('kk', 'common.back')]);
    await u.tap({ type: 'back' });
    expect(await h.prisma().notificationOptOut.count()).toBe(0);

    await u.say('Стоп');
    await u.tap({ type: 'choose', value: 'confirm' });
    expect(u.last[0]!.body).toBe(tr.t('kk', 'optOut.done'));
    expect(await h.prisma().notificationOptOut.findMany()).toEqual([expect.objectContaining({ parentId: f.parentId, channel: 'WHATSAPP', source: 'bot' })]);
    // Writing to the bot again does not undo it; /notify does.
    await u.say('Сәлем');
    expect(await h.prisma().notificationOptOut.count()).toBe(1);
    await u.say('/notify');
    expect(u.text).toContain(tr.t('kk', 'optIn.done'));
    expect(await h.prisma().notificationOptOut.count()).toBe(0);
  });

  it("a linked chat's tap on a template's Stop stores the opt-out at once, with a way back", async () => {
    const f = await family(h.prisma(), { locale: 'ru' });
    const u = h.user(f.waId);
    await identify(u, f, 'ru');
    await u.send(wa.templateButton(f.waId, STOP_PAYLOAD, 'Стоп'));
    expect(u.last).toHaveLength(1);
    expect(u.interactive.body).toBe(tr.t('ru', 'optOut.done'));
    expect(u.interactive.controls.map((c) => c.title)).toEqual([tr.t('ru', 'optOut.resumeButton')]);
    expect(await h.prisma().notificationOptOut.findMany()).toEqual([
      expect.objectContaining({ parentId: f.parentId, channel: 'WHATSAPP', source: 'template' }),
    ]);
    await u.tap({ type: 'command', name: 'notify' });
    expect(u.text).toBe(tr.t('ru', 'optIn.done'));
    expect(await h.prisma().notificationOptOut.count()).toBe(0);
  });

  it('an unlinked registry phone (outreach): Stop opts out every parent with that phone, in their language', async () => {
    const f = await family(h.prisma(), { locale: 'kk' });
    const spouse = await createParent(h.prisma(), { phone: f.phone, locale: null });
    const stranger = await family(h.prisma(), { locale: 'kk' });
    const u = h.user(f.waId);

    await u.send(wa.templateButton(f.waId, STOP_PAYLOAD, 'Тоқтату'));
    expect(u.interactive.body).toBe(tr.t('kk', 'optOut.done'));
    const rows = await h.prisma().notificationOptOut.findMany({ orderBy: { parentId: 'asc' } });
    expect(rows.map((r) => [r.parentId, r.channel, r.source])).toEqual([
      [f.parentId, 'WHATSAPP', 'template'],
      [spouse.id, 'WHATSAPP', 'template'],
    ]);
    expect(rows.some((r) => r.parentId === stranger.parentId)).toBe(false);
    // Nothing got linked: the IIN is still needed for any personal data.
    expect(await h.prisma().chatLink.count()).toBe(0);
  });

  it('"STOP" as the first message of an unlinked registry phone asks in both languages, then stores it', async () => {
    const f = await family(h.prisma(), { locale: 'ru' });
    const u = h.user(f.waId);
    await u.say('STOP');
    expect(u.interactive.body).toBe(tr.t('both', 'optOut.confirm'));
    expect(u.interactive.controls.map((c) => c.title)).toEqual([tr.t('ru', 'optOut.confirmButtonBoth'), tr.t('ru', 'optOut.backBoth')]);
    await u.tap({ type: 'choose', value: 'confirm' });
    // From now on in the registry's language.
    expect(u.last[0]!.body).toBe(tr.t('ru', 'optOut.done'));
    expect(await h.prisma().notificationOptOut.findMany()).toEqual([expect.objectContaining({ parentId: f.parentId, channel: 'WHATSAPP', source: 'bot' })]);
  });

  it('a number in no registry row asking to stop is told the bot sends it nothing', async () => {
    const u = h.user(otherNumber());
    await u.send(wa.templateButton(u.waId, STOP_PAYLOAD, 'Стоп'));
    expect(u.text).toBe(tr.t('both', 'optOut.nothing'));
    expect(await h.prisma().notificationOptOut.count()).toBe(0);
  });
});
