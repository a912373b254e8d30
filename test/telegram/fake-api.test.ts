/**
 * The fake Bot API answers grammY as the documented API does — the end-to-end tests are only as
 * good as the double they run against.
 */
import { Api, GrammyError } from 'grammy';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeTelegramApi, retryAfter } from '../../test-support/fakes/telegram-api.ts';
import { textMessage, userFor } from '../../test-support/fakes/telegram-updates.ts';

let fake: FakeTelegramApi;
let api: Api;
beforeEach(async () => {
  fake = await FakeTelegramApi.start();
  api = new Api(fake.token, { apiRoot: fake.apiRoot });
});
afterEach(async () => {
  await fake.close();
});

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => (e instanceof GrammyError ? { code: e.error_code, description: e.description, retryAfter: e.parameters.retry_after } : e),
  );

describe('FakeTelegramApi', () => {
  it('validates sendMessage and rejects callback_data over 64 bytes with BUTTON_DATA_INVALID', async () => {
    const ok = await api.sendMessage(5, 'hi', { reply_markup: { inline_keyboard: [[{ text: 'a', callback_data: 'x'.repeat(64) }]] } });
    expect(ok).toMatchObject({ message_id: 1, chat: { id: 5 }, text: 'hi', reply_markup: { inline_keyboard: [[{ text: 'a' }]] } });
    expect(await refusal(api.sendMessage(5, 'hi', { reply_markup: { inline_keyboard: [[{ text: 'a', callback_data: 'x'.repeat(65) }]] } }))).toEqual({
      code: 400,
      description: 'Bad Request: BUTTON_DATA_INVALID',
      retryAfter: undefined,
    });
    // Multi-byte characters count as bytes.
    expect(await refusal(api.sendMessage(5, 'hi', { reply_markup: { inline_keyboard: [[{ text: 'a', callback_data: 'ж'.repeat(33) }]] } }))).toMatchObject({
      description: 'Bad Request: BUTTON_DATA_INVALID',
    });
    expect(await refusal(api.sendMessage(5, ''))).toMatchObject({ code: 400, description: 'Bad Request: message text is empty' });
    expect(await refusal(api.sendMessage(5, 'x'.repeat(4097)))).toMatchObject({ description: 'Bad Request: message is too long' });
    expect(fake.chat(5)).toHaveLength(1);
  });

  it('edits: same content is "not modified", unknown messages "not found"', async () => {
    const m = await api.sendMessage(5, 'one');
    await api.editMessageText(5, m.message_id, 'two');
    expect(fake.lastMessage(5)).toMatchObject({ text: 'two', editCount: 1 });
    expect(await refusal(api.editMessageText(5, m.message_id, 'two'))).toMatchObject({ description: expect.stringContaining('message is not modified') });
    expect(await refusal(api.editMessageText(6, m.message_id, 'x'))).toMatchObject({ description: 'Bad Request: message to edit not found' });
  });

  it('answers a callback query once', async () => {
    const id = fake.issueCallbackId();
    expect(await api.answerCallbackQuery(id, { text: 'ok' })).toBe(true);
    expect(await refusal(api.answerCallbackQuery(id))).toMatchObject({ code: 400, description: expect.stringContaining('query is too old') });
    expect(await refusal(api.answerCallbackQuery('nope'))).toMatchObject({ code: 400 });
  });

  it("makes the call a webhook's answer carries, as Telegram does, and only that", async () => {
    const id = fake.issueCallbackId();
    const json = 'application/json';
    expect(await fake.webhookAnswered(json, JSON.stringify({ ok: true }))).toBeNull();
    expect(await fake.webhookAnswered('text/plain', JSON.stringify({ method: 'answerCallbackQuery', callback_query_id: id }))).toBeNull();
    expect(await fake.webhookAnswered(json, '{not json')).toBeNull();
    expect(fake.calls).toEqual([]);

    expect(await fake.webhookAnswered(json, JSON.stringify({ method: 'answerCallbackQuery', callback_query_id: id, text: 'ok' }))).toEqual({
      ok: true,
      result: true,
    });
    expect(fake.callsOf('answerCallbackQuery')).toEqual([
      {
        method: 'answerCallbackQuery',
        params: { callback_query_id: id, text: 'ok' },
        response: { ok: true, result: true },
        at: expect.any(Number),
        viaWebhookAnswer: true,
      },
    ]);
    // Validated like a request: a second answer to the query is refused (and not reported to the bot).
    expect(await fake.webhookAnswered(json, JSON.stringify({ method: 'answerCallbackQuery', callback_query_id: id }))).toMatchObject({
      ok: false,
      error_code: 400,
    });
    expect(await fake.webhookAnswered(json, JSON.stringify({ method: 'getUpdates' }))).toMatchObject({ ok: false, error_code: 400 });
  });

  it('serves updates by offset and holds a long poll until one arrives or the timeout passes', async () => {
    const u = userFor(5);
    const first = fake.enqueue(textMessage(u, 'a'));
    expect((await api.getUpdates({ offset: 0, timeout: 0 })).map((x) => x.update_id)).toEqual([first.update_id]);
    // The offset confirms the first update: it is not returned again.
    const waiting = api.getUpdates({ offset: first.update_id + 1, timeout: 5 });
    await vi.waitFor(() => expect(fake.heldPolls).toBe(1));
    const second = fake.enqueue(textMessage(u, 'b'));
    expect((await waiting).map((x) => x.update_id)).toEqual([second.update_id]);
    const started = Date.now();
    expect(await api.getUpdates({ offset: second.update_id + 1, timeout: 1 })).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('refuses getUpdates while a webhook is set, and injects 429 and 403 faults', async () => {
    await api.setWebhook('http://127.0.0.1:1/webhooks/telegram', { secret_token: 'abc' });
    expect(await refusal(api.getUpdates())).toMatchObject({ code: 409 });
    expect(await api.getWebhookInfo()).toMatchObject({ url: 'http://127.0.0.1:1/webhooks/telegram' });
    await api.deleteWebhook();
    fake.failNext('sendMessage', retryAfter(3));
    expect(await refusal(api.sendMessage(5, 'x'))).toEqual({ code: 429, description: 'Too Many Requests: retry after 3', retryAfter: 3 });
    fake.block(5);
    expect(await refusal(api.sendMessage(5, 'x'))).toMatchObject({ code: 403, description: 'Forbidden: bot was blocked by the user' });
    expect(await api.sendMessage(6, 'x')).toMatchObject({ chat: { id: 6 } });
  });

  it('validates bot commands', async () => {
    expect(await api.setMyCommands([{ command: 'menu', description: 'Menu' }], { language_code: 'kk' })).toBe(true);
    expect(await refusal(api.setMyCommands([{ command: 'Menu!', description: 'Menu' }]))).toMatchObject({ description: 'Bad Request: BOT_COMMAND_INVALID' });
    expect(fake.commands.get('default:kk')).toEqual([{ command: 'menu', description: 'Menu' }]);
  });
});
