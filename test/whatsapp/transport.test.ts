import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CloudApiTransport } from '../../bots/whatsapp/cloud-api-transport.ts';
import { sendWithRetry } from '../../bots/whatsapp/retry.ts';
import { TEMPLATES } from '../../bots/whatsapp/templates.ts';
import { WhatsAppSendError } from '../../bots/whatsapp/transport.ts';
import { withinServiceWindow } from '../../bots/whatsapp/window.ts';
import { FakeGraphApi } from '../../test-support/fakes/graph-api.ts';

const OPTS = { token: 'tok', phoneNumberId: '555', version: 'v23.0' };
const TO = '77011234567';

let fake: FakeGraphApi;
let transport: CloudApiTransport;
beforeAll(async () => {
  fake = await FakeGraphApi.start(OPTS);
  transport = new CloudApiTransport({ token: OPTS.token, phoneNumberId: OPTS.phoneNumberId, apiRoot: fake.url, apiVersion: OPTS.version });
});
afterAll(() => fake.close());
beforeEach(() => fake.clear());

async function failure(p: Promise<unknown>): Promise<WhatsAppSendError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(WhatsAppSendError);
    return e as WhatsAppSendError;
  }
  throw new Error('expected the send to fail');
}

describe('Cloud API transport (against the fake Graph API)', () => {
  it('sends texts, reply buttons, lists and templates in the documented shapes and returns the wamid', async () => {
    const r1 = await transport.sendText(TO, 'Сәлем');
    expect(r1.messageId).toMatch(/^wamid\./);
    await transport.send(TO, { type: 'buttons', body: 'Q?', buttons: [{ id: '1.c.kk', title: 'Қазақша' }] });
    await transport.send(TO, {
      type: 'list',
      body: 'Q?',
      button: 'Таңдау',
      sections: [{ rows: [{ id: '2.c.a', title: 'A', description: 'aa' }] }],
    });
    const r4 = await transport.sendTemplate(TO, TEMPLATES.reminder.name, 'kk', ['2', '25.12.2026 23:59'], [...TEMPLATES.reminder.buttonPayloads]);
    expect(r4.messageId).toMatch(/^wamid\./);

    const [text, buttons, list, template] = fake.accepted();
    expect(text).toEqual({ messaging_product: 'whatsapp', recipient_type: 'individual', to: TO, type: 'text', text: { body: 'Сәлем' } });
    expect(buttons.interactive).toEqual({
      type: 'button',
      body: { text: 'Q?' },
      action: { buttons: [{ type: 'reply', reply: { id: '1.c.kk', title: 'Қазақша' } }] },
    });
    expect(list.interactive.action).toEqual({ button: 'Таңдау', sections: [{ rows: [{ id: '2.c.a', title: 'A', description: 'aa' }] }] });
    expect(template.template).toEqual({
      name: 'kg_queue_extension_reminder',
      language: { code: 'kk' },
      components: [
        {
          type: 'body',
          parameters: [
            { type: 'text', text: '2' },
            { type: 'text', text: '25.12.2026 23:59' },
          ],
        },
        { type: 'button', sub_type: 'quick_reply', index: 0, parameters: [{ type: 'payload', payload: 'x.extend' }] },
        { type: 'button', sub_type: 'quick_reply', index: 1, parameters: [{ type: 'payload', payload: 'x.stop' }] },
      ],
    });
    expect(fake.calls.every((c) => c.authorization === 'Bearer tok' && c.path === '/v23.0/555/messages')).toBe(true);
  });

  it('addresses a business-scoped user id as recipient', async () => {
    await transport.sendText('KZ.1390458234598273', 'hi');
    expect(fake.accepted()[0]).toMatchObject({ recipient: 'KZ.1390458234598273' });
    expect(fake.accepted()[0].to).toBeUndefined();
  });

  it('classifies Graph errors by error.code, not by HTTP status', async () => {
    const cases: [Parameters<FakeGraphApi['fail']>[0], string, boolean][] = [
      [{ code: 130429 }, 'throughput', true],
      [{ code: 80007 }, 'throughput', true],
      [{ code: 131056 }, 'pairRateLimit', true],
      [{ code: 131000, httpStatus: 500 }, 'transient', true],
      [{ code: 131016, httpStatus: 503 }, 'transient', true],
      [{ code: 131047 }, 'outsideWindow', false],
      [{ code: 131026 }, 'undeliverable', false],
      [{ code: 132001 }, 'template', false],
      [{ code: 132000 }, 'template', false],
      [{ code: 190, httpStatus: 401 }, 'auth', false],
      [{ code: 100 }, 'invalid', false],
    ];
    for (const [fault, kind, retryable] of cases) {
      fake.fail(fault);
      const e = await failure(transport.sendText(TO, 'x'));
      expect([e.code, e.kind, e.retryable]).toEqual([fault.code, kind, retryable]);
    }
    fake.fail({ code: 4, httpStatus: 429, retryAfter: 2 });
    const limited = await failure(transport.sendText(TO, 'x'));
    expect([limited.kind, limited.retryAfterMs, limited.httpStatus]).toEqual(['throughput', 2000, 429]);
  });

  it('reports a bad token as auth, and an unreachable API as transient', async () => {
    const wrong = new CloudApiTransport({ token: 'expired', phoneNumberId: '555', apiRoot: fake.url, apiVersion: 'v23.0' });
    expect((await failure(wrong.sendText(TO, 'x'))).kind).toBe('auth');
    const down = new CloudApiTransport({ token: 'tok', phoneNumberId: '555', apiRoot: 'http://127.0.0.1:9', apiVersion: 'v23.0', timeoutMs: 2000 });
    expect((await failure(down.sendText(TO, 'x'))).kind).toBe('transient');
  });

  it('refuses a message over a platform limit before sending it', async () => {
    const buttons = Array.from({ length: 4 }, (_, i) => ({ id: `1.c.${i}`, title: `B${i}` }));
    expect((await failure(transport.send(TO, { type: 'buttons', body: 'Q', buttons }))).kind).toBe('invalid');
    expect(fake.calls).toHaveLength(0);
  });
});

describe('the fake Graph API checks bodies against the documented limits', () => {
  const post = (body: unknown, token = 'tok') =>
    fetch(`${fake.url}/v23.0/555/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const base = { messaging_product: 'whatsapp', recipient_type: 'individual', to: TO };
  const buttons = (n: number, title = 'T') => ({
    ...base,
    type: 'interactive',
    interactive: {
      type: 'button',
      body: { text: 'Q' },
      action: { buttons: Array.from({ length: n }, (_, i) => ({ type: 'reply', reply: { id: `i${i}`, title: `${title}${i}` } })) },
    },
  });
  const list = (rows: number, title = 'Row') => ({
    ...base,
    type: 'interactive',
    interactive: {
      type: 'list',
      body: { text: 'Q' },
      action: { button: 'Choose', sections: [{ title: 'S', rows: Array.from({ length: rows }, (_, i) => ({ id: `r${i}`, title: `${title}${i}` })) }] },
    },
  });

  it('accepts the documented maximums and refuses one more, with a Graph error body', async () => {
    expect((await post(buttons(3))).status).toBe(200);
    const fourth = await post(buttons(4));
    expect(fourth.status).toBe(400);
    const err = (await fourth.json()) as { error: Record<string, unknown> };
    expect(err.error).toMatchObject({ type: 'OAuthException', code: 100 });
    expect(err.error['fbtrace_id']).toEqual(expect.any(String));

    expect((await post(list(10))).status).toBe(200);
    expect((await post(list(11))).status).toBe(400);
    expect((await post(buttons(1, 'x'.repeat(20)))).status).toBe(400);
    expect((await post(buttons(1, 'x'.repeat(19)))).status).toBe(200);
    expect((await post(list(1, 'x'.repeat(24)))).status).toBe(400);
    expect((await post({ ...base, type: 'template', template: { name: 'kg_queue_extension_reminder' } })).status).toBe(400);
    expect((await post({ ...base, type: 'template', template: { name: 'n', language: { code: 'ru' } } })).status).toBe(200);
    expect((await post({ ...base, type: 'text', text: { body: '' } })).status).toBe(400);
    expect((await post(buttons(1), 'wrong')).status).toBe(401);
    expect(fake.rejected().map((c) => c.rejected)).toEqual([
      'at most 3 reply buttons (got 4)',
      'at most 10 rows in total (got 11)',
      `reply title over 20 characters: ${'x'.repeat(20)}0`,
      `row title over 24 characters: ${'x'.repeat(24)}0`,
      'template.language.code is required',
      'text.body must be 1..4096 characters',
      'bad token',
    ]);
  });
});

describe('sending a reply with retries', () => {
  const waits: number[] = [];
  const wait = async (ms: number) => {
    waits.push(ms);
  };
  const policy = { attempts: 4, baseDelayMs: 100, maxDelayMs: 1000, pairDelayMs: 6000 };
  beforeEach(() => {
    waits.length = 0;
  });

  it('retries throughput limits with growing delays, then succeeds', async () => {
    fake.fail({ code: 130429, times: 2 });
    const r = await sendWithRetry(transport, TO, { type: 'text', body: 'x' }, policy, wait);
    expect(r.messageId).toMatch(/^wamid\./);
    expect(waits).toHaveLength(2);
    expect(waits[0]!).toBeGreaterThanOrEqual(75);
    expect(waits[1]!).toBeGreaterThanOrEqual(150);
  });

  it('waits the pair interval for 131056, honours Retry-After, and gives up after the attempts', async () => {
    fake.fail({ code: 131056 });
    await sendWithRetry(transport, TO, { type: 'text', body: 'x' }, policy, wait);
    expect(waits).toEqual([6000]);

    waits.length = 0;
    fake.fail({ code: 4, httpStatus: 429, retryAfter: 1 });
    await sendWithRetry(transport, TO, { type: 'text', body: 'x' }, policy, wait);
    expect(waits).toEqual([1000]);

    fake.fail({ code: 130429, times: 10 });
    const e = await failure(sendWithRetry(transport, TO, { type: 'text', body: 'x' }, policy, wait));
    expect(e.kind).toBe('throughput');
    expect(fake.calls.filter((c) => c.faultCode === 130429)).toHaveLength(4);
  });

  it('does not retry a closed window, an undeliverable user, a template or token error', async () => {
    for (const code of [131047, 131026, 132001, 190]) {
      fake.clear();
      fake.fail({ code });
      const e = await failure(sendWithRetry(transport, TO, { type: 'text', body: 'x' }, policy, wait));
      expect(e.code).toBe(code);
      expect(fake.calls).toHaveLength(1);
    }
    expect(waits).toEqual([]);
  });
});

describe('the customer-service window', () => {
  it('is open for 24 hours after the last inbound message, less a margin', () => {
    const now = new Date('2026-11-20T12:00:00Z');
    expect(withinServiceWindow(null, now)).toBe(false);
    expect(withinServiceWindow(new Date('2026-11-20T11:00:00Z'), now)).toBe(true);
    expect(withinServiceWindow(new Date('2026-11-19T12:30:00Z'), now)).toBe(true);
    expect(withinServiceWindow(new Date('2026-11-19T12:05:00Z'), now)).toBe(false);
    expect(withinServiceWindow(new Date('2026-11-19T11:00:00Z'), now)).toBe(false);
  });
});
