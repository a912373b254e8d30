import { describe, expect, it } from 'vitest';
import type { Update } from 'grammy/types';
import { classify } from '../../bots/telegram/updates.ts';
import { FakeTelegramApi } from '../../test-support/fakes/telegram-api.ts';
import {
  callbackQuery,
  contactMessage,
  locationMessage,
  myChatMember,
  startCommand,
  stickerMessage,
  textMessage,
  userFor,
  voiceMessage,
} from '../../test-support/fakes/telegram-updates.ts';

const u = userFor(501, 'kk-KZ');
const upd = (x: object): Update => ({ update_id: 1, ...x }) as Update;

describe('Telegram updates as core inputs', () => {
  it('/start carries the app language; /start@bot with a payload too', () => {
    expect(classify(upd(startCommand(u)))).toMatchObject({ kind: 'input', chatId: 501, input: { type: 'start', languageHint: 'kk-KZ' } });
    expect(classify(upd(textMessage(userFor(502), '/start@kezek_bot ref1')))).toMatchObject({ input: { type: 'start', languageHint: null, link: 'ref1' } });
    // A deep link's start parameter is the link's token; the core decides whether it is one.
    expect(classify(upd(startCommand(u, 'LaaaaaaaaaaaBBBBBBBBBBBB')))).toMatchObject({ input: { type: 'start', link: 'LaaaaaaaaaaaBBBBBBBBBBBB' } });
    expect(classify(upd(startCommand(u)))).toMatchObject({ input: { link: null } });
    // Not a start parameter Telegram would send: a plain /start.
    expect(classify(upd(textMessage(u, '/start два слова')))).toMatchObject({ input: { type: 'start', link: null } });
    expect(classify(upd(textMessage(u, `/start ${'a'.repeat(65)}`)))).toMatchObject({ input: { type: 'start', link: null } });
    // Not /start: "/starts" is an ordinary text the core treats as an unknown command.
    expect(classify(upd(textMessage(u, '/starts')))).toMatchObject({ input: { type: 'text', text: '/starts' } });
    expect(classify(upd(textMessage(u, '/menu')))).toMatchObject({ input: { type: 'text', text: '/menu' } });
  });

  it("a contact is the sender's own only with the sender's user_id", () => {
    expect(classify(upd(contactMessage(u, '77011234567')))).toMatchObject({
      input: { type: 'contact', phone: '77011234567', own: true },
      via: 'contact',
    });
    expect(classify(upd(contactMessage(u, '77011234567', 999)))).toMatchObject({ input: { own: false } });
    expect(classify(upd(contactMessage(u, '77011234567', null)))).toMatchObject({ input: { own: false } });
  });

  it('locations, stickers and voice; service messages and groups are ignored', () => {
    expect(classify(upd(locationMessage(u, 43.2, 76.9)))).toMatchObject({ input: { type: 'location', point: { lat: 43.2, lon: 76.9 } }, via: 'location' });
    expect(classify(upd(stickerMessage(u)))).toMatchObject({ input: { type: 'unsupported' } });
    expect(classify(upd(voiceMessage(u)))).toMatchObject({ input: { type: 'unsupported' } });
    const pinned = textMessage(u, 'x') as unknown as { message: Record<string, unknown> };
    delete pinned.message.text;
    pinned.message.pinned_message = { message_id: 1, date: 0, chat: { id: 501, type: 'private' } };
    expect(classify(upd(pinned))).toEqual({ kind: 'ignored', chatId: 501 });
    const group = textMessage(u, '/start') as { message: { chat: object } };
    group.message.chat = { id: -100, type: 'group', title: 'Parents' };
    expect(classify(upd(group))).toEqual({ kind: 'ignored', chatId: -100 });
    expect(classify(upd({ edited_message: (textMessage(u, 'x') as { message: object }).message }))).toEqual({ kind: 'ignored', chatId: 501 });
  });

  it('callback data decodes to an action with its seq; anything else is a bad action', async () => {
    const fake = await FakeTelegramApi.start();
    try {
      const on = { message_id: 9, chatId: 501, text: 'q', inline: null, sentMarkup: null, date: 1_700_000_000, editCount: 0 };
      const press = classify(upd(callbackQuery(fake, u, on, '7.t.12.1')));
      expect(press).toMatchObject({ kind: 'input', chatId: 501, input: { type: 'action', seq: 7, action: { type: 'toggle', value: '12', on: true } } });
      expect(press.kind === 'input' && press.callback).toMatchObject({ messageId: 9 });
      expect(classify(upd(callbackQuery(fake, u, on, 'garbage')))).toMatchObject({ input: { type: 'badAction' } });
      // A message too old to be accessible (date 0) cannot be edited any more.
      expect(classify(upd(callbackQuery(fake, u, { ...on, date: 0 }, '7.d')))).toMatchObject({ callback: { messageId: null } });
      expect(classify(upd(myChatMember(fake, u, 'kicked')))).toEqual({ kind: 'membership', chatId: 501, blocked: true });
      expect(classify(upd(myChatMember(fake, u, 'member')))).toEqual({ kind: 'membership', chatId: 501, blocked: false });
    } finally {
      await fake.close();
    }
  });
});
