import { describe, expect, it } from 'vitest';
import { parseWebhook, senderPhone, sentAt, toInput, type InboundMessage } from '../../bots/whatsapp/inbound.ts';
import { escapeNonAscii, escapeSlashes, isSignedByMeta } from '../../bots/whatsapp/signature.ts';
import { delivery, messagesChange, serializeLikeMeta, signature, wa, waStatus, webhookPayload } from '../../test-support/fakes/whatsapp-webhook.ts';

const NUMBER = { phoneNumberId: '111', displayPhoneNumber: '15550001111', wabaId: 'W1' };
const OTHER = { phoneNumberId: '222', displayPhoneNumber: '15550002222', wabaId: 'W2' };

/** A message as the channel reads it after parsing (camelCase). */
const parsedMessage = (m: Record<string, unknown>): InboundMessage => {
  const events = parseWebhook(JSON.parse(serializeLikeMeta(delivery({ number: NUMBER, messages: [m as never] })))).events;
  const e = events[0];
  if (e?.kind !== 'message') throw new Error('no message');
  return e.message;
};

describe('webhook parsing', () => {
  it('yields every message and status of every entry and change, each with its own phone number id', () => {
    const payload = webhookPayload([
      {
        wabaId: 'W1',
        changes: [
          messagesChange({ number: NUMBER, messages: [wa.text('77010000001', 'a'), wa.text('77010000002', 'b', { userId: 'KZ.42' })] }),
          messagesChange({ number: OTHER, messages: [wa.text('77010000003', 'c')] }),
        ],
      },
      {
        wabaId: 'W2',
        changes: [
          messagesChange({
            number: NUMBER,
            statuses: [
              waStatus({ messageId: 'wamid.1', status: 'read', recipient: '77010000001' }),
              waStatus({ messageId: 'wamid.2', status: 'failed', recipient: '77010000002', errors: [{ code: 131047, title: 'Re-engagement message' }] }),
            ],
          }),
        ],
      },
    ]);
    const { object, events } = parseWebhook(JSON.parse(serializeLikeMeta(payload)));
    expect(object).toBe('whatsapp_business_account');
    expect(events.map((e) => [e.kind, e.phoneNumberId, e.kind === 'message' ? e.chatId : e.status.id])).toEqual([
      ['message', '111', '77010000001'],
      ['message', '111', '77010000002'],
      ['message', '222', '77010000003'],
      ['status', '111', 'wamid.1'],
      ['status', '111', 'wamid.2'],
    ]);
    const second = events[1]!;
    expect(second.kind === 'message' && second.userId).toBe('KZ.42');
    const failed = events[4]!;
    expect(failed.kind === 'status' && failed.status.errors?.[0]?.code).toBe(131047);
  });

  it('skips other fields and malformed shapes without throwing', () => {
    expect(parseWebhook(null).events).toEqual([]);
    expect(parseWebhook({ object: 'whatsapp_business_account', entry: 'x' }).events).toEqual([]);
    const other = {
      object: 'whatsapp_business_account',
      entry: [{ id: 'W', changes: [{ field: 'account_update', value: { messages: [wa.text('1', 'x')] } }] }],
    };
    expect(parseWebhook(other).events).toEqual([]);
  });

  it('turns messages into core inputs', () => {
    expect(toInput(parsedMessage(wa.text('77010000001', 'Сәлем / привет')))).toEqual({ type: 'text', text: 'Сәлем / привет' });
    expect(toInput(parsedMessage(wa.buttonReply('77010000001', '12.c.kk', 'Қазақша')))).toEqual({
      type: 'action',
      seq: 12,
      action: { type: 'choose', value: 'kk' },
    });
    expect(toInput(parsedMessage(wa.listReply('77010000001', '9.t.chess.1', 'Шахматы')))).toEqual({
      type: 'action',
      seq: 9,
      action: { type: 'toggle', value: 'chess', on: true },
    });
    expect(toInput(parsedMessage(wa.templateButton('77010000001', 'x.extend', 'Продлить')))).toEqual({
      type: 'action',
      seq: 0,
      action: { type: 'command', name: 'extend' },
    });
    // A template's Stop stores the opt-out at once; the same command on one of our own buttons asks first.
    expect(toInput(parsedMessage(wa.templateButton('77010000001', 'x.stop', 'Стоп')))).toEqual({ type: 'templateStop' });
    expect(toInput(parsedMessage(wa.buttonReply('77010000001', 'x.stop', 'Стоп')))).toEqual({
      type: 'action',
      seq: 0,
      action: { type: 'command', name: 'stop' },
    });
    expect(toInput(parsedMessage(wa.buttonReply('77010000001', 'garbage', 'x')))).toEqual({ type: 'badAction' });
    expect(toInput(parsedMessage(wa.location('77010000001', 43.25, 76.95)))).toEqual({ type: 'location', point: { lat: 43.25, lon: 76.95 } });
    expect(toInput(parsedMessage(wa.sticker('77010000001')))).toEqual({ type: 'unsupported' });
    expect(toInput(parsedMessage(wa.audio('77010000001')))).toEqual({ type: 'unsupported' });
    expect(toInput({ id: 'x', type: 'reaction' })).toBeNull();
  });

  it("proves the sender's phone from wa_id, and bounds the message time by now", () => {
    expect(senderPhone({ id: 'x', type: 'text', from: '77011234567' })).toBe('+77011234567');
    expect(senderPhone({ id: 'x', type: 'text', fromUserId: 'KZ.1' })).toBeNull();
    const now = new Date('2026-11-20T06:00:00Z');
    expect(sentAt({ id: 'x', type: 'text', timestamp: '1795154400' }, now).toISOString()).toBe('2026-11-20T06:00:00.000Z');
    expect(sentAt({ id: 'x', type: 'text', timestamp: '1795150800' }, now).toISOString()).toBe('2026-11-20T05:00:00.000Z');
    expect(sentAt({ id: 'x', type: 'text', timestamp: 'soon' }, now)).toBe(now);
  });
});

describe('webhook signature', () => {
  const secret = 'shh';
  const payload = delivery({ number: NUMBER, messages: [wa.text('77010000001', 'Сәлем 😀 a/b \\/ "q"')] });

  it('accepts the HMAC of the raw bytes, and of their \\uXXXX-escaped form', () => {
    const meta = serializeLikeMeta(payload);
    expect(isSignedByMeta(Buffer.from(meta), signature(meta, secret), secret)).toBe(true);
    const plain = JSON.stringify(payload);
    expect(isSignedByMeta(Buffer.from(plain), signature(plain, secret), secret)).toBe(true);
    // Delivered unescaped, signed over Meta's escaped form.
    expect(isSignedByMeta(Buffer.from(plain), signature(meta, secret), secret)).toBe(true);
    expect(escapeSlashes(escapeNonAscii(plain))).toBe(meta);
  });

  it('refuses a wrong secret, a changed body, a malformed or missing header, and never a re-serialised JSON', () => {
    const meta = serializeLikeMeta(payload);
    expect(isSignedByMeta(Buffer.from(meta), signature(meta, 'other'), secret)).toBe(false);
    expect(isSignedByMeta(Buffer.from(`${meta} `), signature(meta, secret), secret)).toBe(false);
    expect(isSignedByMeta(Buffer.from(meta), undefined, secret)).toBe(false);
    expect(isSignedByMeta(Buffer.from(meta), 'sha256=zz', secret)).toBe(false);
    expect(isSignedByMeta(Buffer.from(meta), signature(meta, secret).replace('sha256', 'sha1'), secret)).toBe(false);
    // The same JSON with other whitespace is other bytes: refused.
    const pretty = JSON.stringify(payload, null, 2);
    expect(isSignedByMeta(Buffer.from(pretty), signature(meta, secret), secret)).toBe(false);
  });
});
