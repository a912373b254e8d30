/**
 * The webhook endpoint itself: the verify handshake, signatures, malformed and foreign deliveries,
 * redelivery, batching, statuses on the outbox, and recovery of updates recorded before a crash.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createTranslator } from '../../src/i18n/translator.ts';
import { recordInbound } from '../../src/inbox/inbox.ts';
import { TEST_DB_KINDS } from '../../test-support/db.ts';
import { delivery, messagesChange, signature, signed, wa, waStatus, webhookPayload } from '../../test-support/fakes/whatsapp-webhook.ts';
import { APP_SECRET, family, identify, NUMBER, useWhatsApp, VERIFY_TOKEN } from './harness.ts';

const tr = await createTranslator({ portal: 'https://egov.kz', supportPhone: '1414' });

describe.each(TEST_DB_KINDS)('WhatsApp webhook (%s)', (kind) => {
  const h = useWhatsApp(kind);
  const get = (query: string) => fetch(`${h.url()}/webhooks/whatsapp?${query}`);

  afterEach(() => {
    expect(h.fake.rejected().map((c) => c.rejected)).toEqual([]);
  });

  it('answers the verify handshake with the challenge only for the right token', async () => {
    const ok = await get(`hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await ok.text()).toBe('1158201444');

    for (const q of [
      `hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1`,
      `hub.mode=unsubscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1`,
      `hub.challenge=1`,
    ]) {
      const res = await get(q);
      expect(res.status).toBe(403);
      expect(await res.text()).not.toContain('1158201444');
    }
  });

  it('refuses a forged or missing signature with 401 and processes nothing', async () => {
    const f = await family(h.prisma());
    const s = signed(delivery({ number: NUMBER, messages: [wa.text(f.waId, 'Сәлем')] }), APP_SECRET);
    const forged = await h.postRaw(s.body, { ...s.headers, 'x-hub-signature-256': signature(s.body, 'not-the-secret') });
    expect(forged.status).toBe(401);
    const { 'x-hub-signature-256': _drop, ...unsigned } = s.headers;
    expect((await h.postRaw(s.body, unsigned)).status).toBe(401);
    expect((await h.postRaw(s.body, { ...s.headers, 'x-hub-signature-256': 'sha1=abc' })).status).toBe(401);
    // A body changed after signing.
    expect((await h.postRaw(s.body.replace('"body":"', '"body":"X'), s.headers)).status).toBe(401);
    expect(await h.prisma().inboundUpdate.count()).toBe(0);
    expect(h.fake.calls).toHaveLength(0);
  });

  it("accepts the signature over Meta's escaped serialisation, and over the raw bytes", async () => {
    const f = await family(h.prisma());
    const payload = delivery({ number: NUMBER, messages: [wa.text(f.waId, 'Сәлем / привет')] });
    const s = signed(payload, APP_SECRET);
    expect(s.body).toContain('\\u0421');
    expect(s.body).toContain('\\/');
    // The same delivery reaching us unescaped (a proxy re-encoded it) still carries Meta's signature.
    const unescaped = JSON.stringify(payload);
    const res = await h.postRaw(Buffer.from(unescaped, 'utf8'), s.headers);
    expect(res.status).toBe(200);
    expect(h.fake.accepted(f.waId)).toHaveLength(1);

    // Signed over the raw bytes as delivered.
    const raw = JSON.stringify(delivery({ number: NUMBER, messages: [wa.text(f.waId, 'ещё раз')] }));
    const res2 = await h.postRaw(raw, { 'content-type': 'application/json', 'x-hub-signature-256': signature(raw, APP_SECRET) });
    expect(res2.status).toBe(200);
    expect(h.fake.accepted(f.waId).length).toBeGreaterThan(1);
    expect(await h.prisma().inboundUpdate.count({ where: { processedAt: { not: null } } })).toBe(2);
  });

  it('answers 400 to a signed body that is not JSON, and ignores foreign objects and unknown phone number ids', async () => {
    const body = '{"object":"whatsapp_business_account","entry":[';
    const bad = await h.postRaw(body, { 'content-type': 'application/json', 'x-hub-signature-256': signature(body, APP_SECRET) });
    expect(bad.status).toBe(400);

    const f = await family(h.prisma());
    const foreignNumber = { ...NUMBER, phoneNumberId: '999999999999999' };
    const res = await h.post(delivery({ number: foreignNumber, messages: [wa.text(f.waId, 'hi')] }));
    expect(res.status).toBe(200);
    const page = await h.post({ object: 'page', entry: [] });
    expect(page.status).toBe(200);
    expect(await h.prisma().inboundUpdate.count()).toBe(0);
    expect(h.fake.calls).toHaveLength(0);
  });

  it('processes a redelivered message once', async () => {
    const f = await family(h.prisma());
    const message = wa.text(f.waId, 'Сәлем');
    const s = signed(delivery({ number: NUMBER, messages: [message] }), APP_SECRET);
    expect((await h.postRaw(s.body, s.headers)).status).toBe(200);
    expect((await h.postRaw(s.body, s.headers)).status).toBe(200);
    // Meta may also resend the same message inside another delivery.
    expect((await h.post(delivery({ number: NUMBER, messages: [message, wa.text(f.waId, 'и ещё')] }))).status).toBe(200);
    const updates = await h.prisma().inboundUpdate.findMany({ orderBy: { receivedAt: 'asc' } });
    expect(updates).toHaveLength(2);
    expect(updates.every((u) => u.processedAt !== null && u.payload === null)).toBe(true);
    // The language prompt for the first message; for the second a hint, in both languages as no
    // language is chosen yet, with the prompt right above (not sent again).
    const sent = h.fake.accepted(f.waId);
    expect(sent.map((b) => b.text?.body ?? b.interactive.body.text)).toEqual([tr.t('kk', 'language.prompt'), tr.t('both', 'common.useButtons')]);
    expect(await h.prisma().conversationState.count()).toBe(1);
  });

  it('processes every message of a batched delivery: several entries, changes and senders, each chat in order', async () => {
    const a = await family(h.prisma());
    const b = await family(h.prisma());
    const c = await family(h.prisma());
    const payload = webhookPayload([
      {
        wabaId: NUMBER.wabaId,
        changes: [
          messagesChange({ number: NUMBER, messages: [wa.text(a.waId, 'Сәлем'), wa.text(b.waId, 'Привет')] }),
          messagesChange({
            number: NUMBER,
            messages: [wa.text(c.waId, 'Hi')],
            statuses: [waStatus({ messageId: 'wamid.none', status: 'sent', recipient: a.waId })],
          }),
        ],
      },
      {
        wabaId: NUMBER.wabaId,
        changes: [messagesChange({ number: NUMBER, messages: [wa.sticker(a.waId)] })],
      },
    ]);
    expect((await h.post(payload)).status).toBe(200);
    for (const f of [a, b, c]) {
      const sent = h.fake.accepted(f.waId);
      expect(sent[0]?.interactive?.body.text, f.waId).toBe(tr.t('kk', 'language.prompt'));
    }
    // a's sticker came after a's text: the prompt, then the notice (in both languages, none chosen yet).
    const toA = h.fake.accepted(a.waId);
    expect(toA.map((m) => m.type)).toEqual(['interactive', 'text']);
    expect(toA[1].text.body).toBe(tr.t('both', 'common.useButtons'));
    expect(await h.prisma().inboundUpdate.count({ where: { processedAt: null } })).toBe(0);
    expect(await h.prisma().inboundUpdate.count()).toBe(5);
  });

  it('records statuses on the outbox row, never backwards; 131047 requeues as a template, 131026 marks the chat unreachable', async () => {
    const f = await family(h.prisma());
    const u = h.user(f.waId);
    await identify(u, f, 'ru');
    const db = h.prisma();
    const row = (dedupeKey: string, externalId: string) =>
      db.outbox.create({
        data: { dedupeKey, channel: 'WHATSAPP', chatId: f.waId, parentId: f.parentId, kind: 'reminder', payload: {}, status: 'SENT', externalId },
      });
    const reminder = await row('r1', 'wamid.reminder1');
    const notice = await row('r2', 'wamid.notice2');

    const statuses = (...s: Parameters<typeof waStatus>[0][]) => h.post(delivery({ number: NUMBER, statuses: s.map(waStatus) }));
    await statuses({ messageId: reminder.externalId!, status: 'delivered', recipient: f.waId });
    // Out of order: "sent" after "delivered" changes nothing; "read" moves on.
    await statuses({ messageId: reminder.externalId!, status: 'sent', recipient: f.waId });
    expect((await db.outbox.findUniqueOrThrow({ where: { id: reminder.id } })).delivery).toBe('delivered');
    await statuses(
      { messageId: reminder.externalId!, status: 'read', recipient: f.waId },
      { messageId: reminder.externalId!, status: 'delivered', recipient: f.waId },
    );
    expect((await db.outbox.findUniqueOrThrow({ where: { id: reminder.id } })).delivery).toBe('read');

    await statuses({
      messageId: notice.externalId!,
      status: 'failed',
      recipient: f.waId,
      errors: [{ code: 131047, title: 'Re-engagement message', details: 'Message failed to send because more than 24 hours have passed' }],
    });
    // 131047: the window had closed — the parent is reachable by template: the row goes back to be resent as one.
    const requeued = await db.outbox.findUniqueOrThrow({ where: { id: notice.id } });
    expect(requeued).toMatchObject({ status: 'PENDING', viaTemplate: true, externalId: null, sentAt: null });
    expect(requeued.error).toContain('131047');
    const open = await db.chatLink.findUniqueOrThrow({ where: { channel_chatId: { channel: 'WHATSAPP', chatId: f.waId } } });
    expect(open.unreachableAt).toBeNull();

    // 131026: undeliverable — the row fails and the chat is marked unreachable.
    const lost = await row('r3', 'wamid.lost3');
    await statuses({ messageId: lost.externalId!, status: 'failed', recipient: f.waId, errors: [{ code: 131026, title: 'Message undeliverable' }] });
    const failed = await db.outbox.findUniqueOrThrow({ where: { id: lost.id } });
    expect(failed).toMatchObject({ delivery: 'failed', status: 'FAILED' });
    expect(failed.error).toContain('131026');
    const link = await db.chatLink.findUniqueOrThrow({ where: { channel_chatId: { channel: 'WHATSAPP', chatId: f.waId } } });
    expect(link.unreachableAt).not.toBeNull();

    // The same status delivered again is recognised; the parent writing again makes the chat reachable.
    const before = await db.inboundUpdate.count();
    await statuses({ messageId: reminder.externalId!, status: 'read', recipient: f.waId });
    expect(await db.inboundUpdate.count()).toBe(before);
    await u.say('меню');
    const relinked = await db.chatLink.findUniqueOrThrow({ where: { channel_chatId: { channel: 'WHATSAPP', chatId: f.waId } } });
    expect(relinked.unreachableAt).toBeNull();
  });

  it('processes messages recorded before a crash (acknowledged, never processed) on recovery', async () => {
    const f = await family(h.prisma());
    const db = h.prisma();
    const message = wa.text(f.waId, 'Сәлем');
    // What the webhook stored before answering 200, as if the process died right after.
    await recordInbound(db, {
      channel: 'WHATSAPP',
      externalId: message.id,
      chatId: f.waId,
      payload: {
        kind: 'message',
        userId: null,
        message: { from: message.from, id: message.id, timestamp: String(message['timestamp']), type: 'text', text: { body: 'Сәлем' } },
      },
    });
    await db.inboundUpdate.updateMany({ data: { receivedAt: new Date(Date.now() - 60_000) } });
    await h.channel.recover();
    await h.channel.idle();
    expect(h.fake.accepted(f.waId)[0].interactive.body.text).toBe(tr.t('kk', 'language.prompt'));
    expect(await db.inboundUpdate.count({ where: { processedAt: null } })).toBe(0);
    // Meta's redelivery of it afterwards is a duplicate.
    await h.post(delivery({ number: NUMBER, messages: [message] }));
    expect(h.fake.accepted(f.waId)).toHaveLength(1);
  });
});
