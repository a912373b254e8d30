import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MobizonProvider, mobizonAnswer, THROTTLE_RETRY_MS } from '../../bots/sms/mobizon.ts';
import { SmsProviderError } from '../../src/campaign/sms/provider.ts';
import { MobizonDouble } from '../../test-support/fakes/mobizon.ts';
import { SMS_API_KEY as API_KEY } from './fixtures/sms-harness.ts';
const PHONE = '77011234567';

let double: MobizonDouble;
beforeEach(async () => {
  double = await MobizonDouble.start({ apiKey: API_KEY, senderNames: ['KEZEK'] });
});
afterEach(async () => {
  await double.close();
});

const provider = (opts: { apiKey?: string; timeoutMs?: number; apiRoot?: string } = {}) =>
  new MobizonProvider({ apiKey: opts.apiKey ?? API_KEY, apiRoot: opts.apiRoot ?? double.apiRoot, timeoutMs: opts.timeoutMs ?? 5_000 });

/** The error a send throws. */
async function failure(p: Promise<unknown>): Promise<SmsProviderError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SmsProviderError);
  return err as SmsProviderError;
}

describe('Mobizon provider against the loopback double', () => {
  it('sends the documented request and returns the message id', async () => {
    const text = 'Продлите заявление в детсад до 25.12:\nhttps://t.me/bot?start=x\nОтписка: STOP';
    const sent = await provider().send(PHONE, text, 'KEZEK');
    expect(double.messages).toEqual([{ recipient: PHONE, text, from: 'KEZEK', messageId: sent.messageId, campaignId: expect.any(String) }]);
    const [call] = double.calls;
    expect(call).toMatchObject({ method: 'POST', path: '/service/Message/SendSmsMessage', query: { output: 'json', api: 'v1', apiKey: API_KEY }, code: 0 });
    expect(call!.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect(sent.messageId).toMatch(/^\d+$/);
  });

  it('without a sender name, no `from` goes (the account default is used)', async () => {
    await provider().send(PHONE, 'text');
    expect(double.calls[0]!.form).toEqual({ recipient: PHONE, text: 'text' });
  });

  it('an invalid number → unreachable, certainly not sent', async () => {
    const err = await failure(provider().send('7701', 'text'));
    expect(err.failure.kind).toBe('unreachable');
    expect(err.failure.reason).toContain('recipient');
    expect(err.certainlyNotSent).toBe(true);
  });

  it('a wrong API key → fatal for an operator, and the key appears in no error', async () => {
    const wrong = `zz${API_KEY.slice(2)}`;
    const err = await failure(provider({ apiKey: wrong }).send(PHONE, 'text'));
    expect(err.failure).toMatchObject({ kind: 'fatal', operator: true });
    expect(err.certainlyNotSent).toBe(true);
    expect(`${err.message} ${err.stack} ${JSON.stringify(err.failure)}`).not.toContain(wrong);
  });

  it('a sender name that is not registered → fatal for an operator', async () => {
    const err = await failure(provider().send(PHONE, 'text', 'OTHER'));
    expect(err.failure).toMatchObject({ kind: 'fatal', operator: true });
    expect(err.failure.reason).toContain('from');
  });

  it('an empty balance (named by the message) → fatal for an operator', async () => {
    double.fail({ code: 12, message: 'Недостаточно средств на балансе' });
    const err = await failure(provider().send(PHONE, 'text'));
    expect(err.failure).toMatchObject({ kind: 'fatal', operator: true });
  });

  it('a blocked account, a wrong API server → fatal for an operator', async () => {
    for (const code of [13, 14]) {
      double.fail({ code, message: 'x' });
      expect((await failure(provider().send(PHONE, 'text'))).failure).toMatchObject({ kind: 'fatal', operator: true });
    }
  });

  it('too many requests (code 30) → retry, no sooner than a few seconds; nothing was sent', async () => {
    double.fail({ code: 30, message: 'Превышен лимит запросов' });
    const err = await failure(provider().send(PHONE, 'text'));
    expect(err.failure).toEqual({ kind: 'retry', reason: expect.stringContaining('30'), retryAfterMs: THROTTLE_RETRY_MS });
    expect(err.certainlyNotSent).toBe(true);
  });

  it("the provider's own trouble (code 999, HTTP 5xx) → retry, and it may have sent", async () => {
    double.fail({ code: 999, message: 'Общая ошибка' });
    let err = await failure(provider().send(PHONE, 'text'));
    expect(err.failure.kind).toBe('retry');
    expect(err.certainlyNotSent).toBe(false);
    double.fail({ httpStatus: 502 });
    err = await failure(provider().send(PHONE, 'text'));
    expect(err.failure).toMatchObject({ kind: 'retry', reason: 'mobizon: HTTP 502 without an API answer' });
    expect(err.certainlyNotSent).toBe(false);
  });

  it('HTTP 429 → retry after the Retry-After the proxy named', async () => {
    double.fail({ httpStatus: 429, retryAfter: 7 });
    const err = await failure(provider().send(PHONE, 'text'));
    expect(err.failure).toMatchObject({ kind: 'retry', retryAfterMs: 7000 });
    expect(err.certainlyNotSent).toBe(true);
  });

  it('no answer within the timeout → retry, and it may have sent', async () => {
    double.fail({ hang: true });
    const started = Date.now();
    const err = await failure(provider({ timeoutMs: 200 }).send(PHONE, 'text'));
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(err.failure).toEqual({ kind: 'retry', reason: 'mobizon: no answer in time' });
    expect(err.certainlyNotSent).toBe(false);
  });

  it('nobody listening → retry, certainly not sent; the key appears in no error', async () => {
    const root = double.apiRoot;
    await double.close();
    const err = await failure(provider({ apiRoot: root }).send(PHONE, 'text'));
    expect(err.failure.kind).toBe('retry');
    expect(err.failure.reason).toContain('ECONNREFUSED');
    expect(err.certainlyNotSent).toBe(true);
    expect(`${err.message} ${err.stack}`).not.toContain(API_KEY);
  });
});

describe('Mobizon answers, classified', () => {
  const env = (code: number, data: unknown = [], message = '') => ({ code, data, message });

  it('code 0 is sent, with the message id whether a string or a number', () => {
    expect(mobizonAnswer(200, env(0, { campaignId: '1', messageId: '42', status: 2 }))).toEqual({ messageId: '42' });
    expect(mobizonAnswer(200, env(0, { campaignId: 1, messageId: 43, status: 1 }))).toEqual({ messageId: '43' });
    expect(mobizonAnswer(200, env(100, 7))).toEqual({ messageId: null });
  });

  it.each([
    [1, { recipient: 'bad' }, 'unreachable', undefined, true],
    [1, { from: 'bad' }, 'fatal', true, true],
    [1, { text: 'too long' }, 'fatal', undefined, true],
    [2, [], 'fatal', undefined, true],
    [3, [], 'retry', undefined, false],
    [4, [], 'fatal', true, true],
    [8, [], 'fatal', true, true],
    [9, [], 'fatal', true, true],
    [10, [], 'retry', undefined, false],
    [11, [], 'fatal', undefined, true],
    [12, [], 'fatal', undefined, true],
    [15, [], 'retry', undefined, false],
    [30, [], 'retry', undefined, true],
    [999, [], 'retry', undefined, false],
    [77, [], 'retry', undefined, false],
  ])('code %i %j → %s (operator %s, certainly not sent %s)', (code, data, kind, operator, notSent) => {
    const a = mobizonAnswer(200, env(code, data, 'm'));
    expect('failure' in a && { kind: a.failure.kind, operator: (a.failure as { operator?: boolean }).operator, notSent: a.certainlyNotSent }).toEqual({
      kind,
      operator,
      notSent,
    });
  });

  it('an answer that is not the API envelope: by its HTTP status', () => {
    expect(mobizonAnswer(200, null)).toMatchObject({ failure: { kind: 'retry' }, certainlyNotSent: false });
    expect(mobizonAnswer(401, null)).toMatchObject({ failure: { kind: 'fatal', operator: true }, certainlyNotSent: true });
    expect(mobizonAnswer(404, null)).toMatchObject({ failure: { kind: 'fatal' }, certainlyNotSent: true });
    expect(mobizonAnswer(503, null)).toMatchObject({ failure: { kind: 'retry' }, certainlyNotSent: false });
  });
});
