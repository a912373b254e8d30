/**
 * Realistic Telegram updates from a private chat, shaped as the Bot API documents them. The
 * update_id is left out: the fake assigns it when the update is queued or posted, as Telegram
 * would (pass one explicitly to redeliver the same update).
 */
import type { Chat, Message, Update, User } from 'grammy/types';
import type { FakeTelegramApi, SentMessage } from './telegram-api.ts';

export type NewUpdate = Omit<Update, 'update_id'> & { update_id?: number };

export interface TestUser {
  id: number;
  first_name: string;
  language_code?: string;
}

let nextIncomingId = 1_000_000;
const now = () => Math.floor(Date.now() / 1000);

export const userFor = (id: number, language_code?: string): TestUser => ({
  id,
  first_name: `Parent${id}`,
  ...(language_code ? { language_code } : {}),
});

const from = (u: TestUser): User => ({ id: u.id, is_bot: false, first_name: u.first_name, ...(u.language_code ? { language_code: u.language_code } : {}) });
const privateChat = (u: TestUser): Chat.PrivateChat => ({ id: u.id, type: 'private', first_name: u.first_name });

function message(u: TestUser, extra: Partial<Message>): NewUpdate {
  return { message: { message_id: nextIncomingId++, date: now(), chat: privateChat(u), from: from(u), ...extra } as Update['message'] };
}

export function textMessage(u: TestUser, text: string): NewUpdate {
  const command = /^\/[A-Za-z0-9_]+(@\w+)?/.exec(text);
  return message(u, {
    text,
    ...(command ? { entities: [{ type: 'bot_command', offset: 0, length: command[0].length }] } : {}),
  });
}

/** /start as the client sends it; the user's app language travels in from.language_code. */
export const startCommand = (u: TestUser, payload?: string): NewUpdate => textMessage(u, payload ? `/start ${payload}` : '/start');

/** A shared contact; `userId` is the contact's Telegram user (the sender's own when equal to u.id). */
export function contactMessage(u: TestUser, phone: string, userId: number | null = u.id): NewUpdate {
  return message(u, {
    contact: { phone_number: phone, first_name: u.first_name, ...(userId !== null ? { user_id: userId } : {}) },
  } as Partial<Message>);
}

export function locationMessage(u: TestUser, latitude: number, longitude: number): NewUpdate {
  return message(u, { location: { latitude, longitude } } as Partial<Message>);
}

export function stickerMessage(u: TestUser): NewUpdate {
  return message(u, {
    sticker: {
      file_id: 'CAACAgIAAxkBAAEB',
      file_unique_id: 'AgADxx',
      type: 'regular',
      width: 512,
      height: 512,
      is_animated: false,
      is_video: false,
      emoji: '👍',
    },
  } as Partial<Message>);
}

export function voiceMessage(u: TestUser): NewUpdate {
  return message(u, { voice: { file_id: 'AwACAgIAAxkBAAEC', file_unique_id: 'AgADyy', duration: 3 } } as Partial<Message>);
}

/** A press of an inline button on a message the bot sent; the fake issues the query id. */
export function callbackQuery(fake: FakeTelegramApi, u: TestUser, on: SentMessage, data: string): NewUpdate {
  return {
    callback_query: {
      id: fake.issueCallbackId(),
      from: from(u),
      chat_instance: `ci-${u.id}`,
      data,
      message: {
        message_id: on.message_id,
        date: on.date,
        chat: privateChat(u),
        from: fake.bot,
        text: on.text,
        ...(on.inline ? { reply_markup: { inline_keyboard: on.inline } } : {}),
      } as Message,
    },
  };
}

/** The user blocked (kicked) or unblocked the bot. */
export function myChatMember(fake: FakeTelegramApi, u: TestUser, status: 'kicked' | 'member'): NewUpdate {
  const bot = { ...fake.bot } as User;
  return {
    my_chat_member: {
      chat: privateChat(u),
      from: from(u),
      date: now(),
      old_chat_member: status === 'kicked' ? { status: 'member', user: bot } : { status: 'kicked', user: bot, until_date: 0 },
      new_chat_member: status === 'kicked' ? { status: 'kicked', user: bot, until_date: 0 } : { status: 'member', user: bot },
    },
  };
}

/** A photo as Telegram delivers it: several sizes of one picture (the file ids from `FakeTelegramApi.addFile`). */
export function photoMessage(u: TestUser, sizes: { file_id: string; file_unique_id: string; file_size: number }[], caption?: string): NewUpdate {
  return message(u, {
    photo: sizes.map((s, i) => ({ ...s, width: 320 * (i + 1), height: 240 * (i + 1) })),
    ...(caption ? { caption } : {}),
  } as Partial<Message>);
}

export function documentMessage(
  u: TestUser,
  file: { file_id: string; file_unique_id: string; file_size: number },
  name: string,
  mime: string,
  caption?: string,
): NewUpdate {
  return message(u, { document: { ...file, file_name: name, mime_type: mime }, ...(caption ? { caption } : {}) } as Partial<Message>);
}
