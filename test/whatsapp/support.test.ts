/**
 * Issue 17 on WhatsApp, end to end through the signed webhook and the fake Graph API: a parent
 * writes to the education department (text, a photo fetched through the media endpoint), the
 * operator's reply goes free-form inside the 24-hour window; outside it the reply waits, the
 * approved template "you have an answer" goes instead, and the parent's tap on it opens the window
 * and brings the reply — once. Refused files are never downloaded past their declared size.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Locale } from '../../src/conversation/core/views.ts';
import { AWAITING_WINDOW } from '../../src/campaign/outbox-kinds.ts';
import { closeThread, queueAnswerTemplate, replyToThread } from '../../src/services/support.ts';
import { TEST_DB_KINDS } from '../../test-support/db.ts';
import { createOperator } from '../helpers/fixtures.ts';
import { HTML_AS_JPG, JPEG } from '../helpers/files.ts';
import { makeDispatcher, whatsappSender } from '../../test-support/dispatch-harness.ts';
import { wa } from '../../test-support/fakes/whatsapp-webhook.ts';
import { family, identify, NUMBER, TOKEN, useWhatsApp, type Harness, type WaUser } from './harness.ts';

const HOUR = 3_600_000;

async function writer(h: Harness, locale: Locale): Promise<WaUser> {
  const f = await family(h.prisma(), { locale });
  const u = h.user(f.waId);
  await identify(u, f, locale);
  return u;
}

const t = (h: Harness, locale: Locale, key: string, params?: Record<string, string | number>) => h.core.translator.t(locale, key, params);

async function deliver(h: Harness) {
  const sender = await whatsappSender(h.fake.url, { token: TOKEN, phoneNumberId: NUMBER.phoneNumberId, version: 'v23.0' });
  return makeDispatcher({
    prisma: h.prisma(),
    dbKind: h.core.db.kind,
    senders: [sender],
    clock: h.clock,
    settings: { recipientGapMs: { WHATSAPP: 0 } },
  }).tick();
}

const threadOf = (h: Harness, waId: string) =>
  h.prisma().supportThread.findFirstOrThrow({ where: { channel: 'WHATSAPP', chatId: waId }, include: { messages: { orderBy: { id: 'asc' } } } });

describe.each(TEST_DB_KINDS)('WhatsApp: writing to the education department (%s)', (kind) => {
  const h = useWhatsApp(kind);
  // The rate bucket remembers the slots of the previous test's clock, a day ahead of this one's.
  beforeEach(() => h.prisma().$executeRawUnsafe('DELETE FROM rate_limit_buckets'));

  describe.each(['kk', 'ru'] as const)('%s', (locale) => {
    it('inside the window the reply goes free-form; outside it the template goes, its tap opens the window and the reply follows once', async () => {
      const u = await writer(h, locale);
      await u.tap({ type: 'command', name: 'write' });
      expect(u.text).toContain(t(h, locale, 'support.prompt', { maxMb: 5 }));
      await u.say('Заявление в стоп-листе, хотя я продлевала');
      expect(u.text).toContain(t(h, locale, 'support.received'));
      const media = h.fake.addMedia(JPEG, 'image/jpeg');
      await u.send(wa.image(u.waId, media, 'Справка'));
      expect(u.text).toBe(t(h, locale, 'support.added'));
      const thread = await threadOf(h, u.waId);
      expect(thread.messages.map((m) => [m.text, m.fileMime])).toEqual([
        ['Заявление в стоп-листе, хотя я продлевала', null],
        ['Справка', 'image/jpeg'],
      ]);
      // The download carried the token (the fake refuses it otherwise).
      expect(h.fake.calls.filter((c) => c.method === 'GET').map((c) => c.status)).toEqual([200, 200]);

      const operator = await createOperator(h.prisma());
      const reply = (text: string, key: string) =>
        replyToThread(h.prisma(), {
          threadId: thread.id,
          operatorId: operator.id,
          text,
          replyKey: key,
          seenMessageId: 2_000_000_000,
          force: false,
          now: h.clock.now(),
        });
      await reply('Проверим и ответим.', 'a');
      expect((await deliver(h)).sent).toBe(1);
      const inWindow = h.fake.accepted(u.waId).at(-1)!;
      expect(inWindow.type).toBe('interactive');
      expect(inWindow.interactive.body.text).toBe(`${t(h, locale, 'support.replyTitle')}\n\nПроверим и ответим.`);

      // A day later the window is shut: the reply waits, the console's template goes instead.
      h.clock.advance(25 * HOUR);
      await reply('Заявление восстановлено.', 'b');
      const held = await deliver(h);
      expect(held).toMatchObject({ sent: 0, deferred: 1 });
      expect(await h.prisma().outbox.findFirst({ where: { kind: 'SUPPORT_REPLY', status: 'PENDING' } })).toMatchObject({ error: AWAITING_WINDOW });
      expect(await queueAnswerTemplate(h.prisma(), thread.id, h.clock.now())).toBe(true);
      // One a day: a second press in the console sends nothing more.
      expect(await queueAnswerTemplate(h.prisma(), thread.id, h.clock.now())).toBe(false);
      expect((await deliver(h)).sent).toBe(1);
      const template = h.fake.accepted(u.waId).at(-1)!;
      expect(template).toMatchObject({ type: 'template', template: { name: 'kg_queue_support_answer', language: { code: locale } } });
      const payload = template.template.components.find((c: any) => c.type === 'button').parameters[0].payload;

      // Sent a day later than the fake's message clock runs: the timestamp says when.
      const tap = wa.templateButton(u.waId, payload, locale === 'kk' ? 'Жауапты оқу' : 'Прочитать ответ');
      await u.send({ ...tap, timestamp: String(Math.floor(h.clock.now().getTime() / 1000)) });
      expect((await deliver(h)).sent).toBe(1);
      const answer = h.fake.accepted(u.waId).at(-1)!;
      expect(answer.interactive.body.text).toContain('Заявление восстановлено.');
      // Nothing more: the reply went once.
      expect((await deliver(h)).sent).toBe(0);
      expect(await h.prisma().outbox.count({ where: { kind: 'SUPPORT_REPLY', status: 'SENT' } })).toBe(2);

      await closeThread(h.prisma(), thread.id, operator.id, h.clock.now());
      expect((await deliver(h)).sent).toBe(1);
      const closed = h.fake.accepted(u.waId).at(-1)!;
      expect(closed.interactive.body.text).toContain(t(h, locale, 'support.closed'));
      expect(h.fake.rejected()).toEqual([]);
    });
  });

  it('a file over the limit is refused from its declared size, without downloading; a page named like a photo is refused by its bytes', async () => {
    const u = await writer(h, 'ru');
    await u.say('/write');
    const big = h.fake.addMedia(JPEG, 'image/jpeg', 6 * 1024 * 1024);
    await u.send(wa.image(u.waId, big));
    expect(u.text).toBe(t(h, 'ru', 'support.fileTooBig', { maxMb: 5 }));
    expect(h.fake.calls.filter((c) => c.path.startsWith('/media-download/'))).toEqual([]);
    const html = h.fake.addMedia(HTML_AS_JPG, 'image/jpeg');
    await u.send(wa.document(u.waId, html, 'photo.jpg', 'image/jpeg'));
    expect(u.text).toBe(t(h, 'ru', 'support.fileType'));
    expect(await h.prisma().supportMessage.count()).toBe(0);
  });
});
