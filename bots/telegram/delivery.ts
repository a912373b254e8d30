/**
 * Sends the core's outputs for one update to the chat.
 *
 * - A callback query is answered first (see callback-answer.ts), with the first notice as its text.
 * - `mode: 'edit'` after a button press edits the pressed message in place (toggles, page turns);
 *   an edit that changes nothing is fine, an edit that is no longer possible becomes a new message.
 * - Other notices are sent as plain messages.
 * - `request` shows the native contact / location button under the input field; once the parent
 *   used it (or the conversation moved on) it is removed with the next message that can carry
 *   `remove_keyboard` — a message without inline buttons, or a short acknowledgement of the shared
 *   contact or location before a message with inline buttons (one message carries one markup).
 */
import type { Api } from 'grammy';
import type { InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove } from 'grammy/types';
import type { Message, Output } from '../../src/conversation/io.ts';
import type { Locale } from '../../src/conversation/views.ts';
import type { Translator } from '../../src/i18n/translator.ts';
import type { CallbackAnswer } from './callback-answer.ts';
import { isNotModified, isUneditable } from './errors.ts';
import { REMOVE_KEYBOARD, requestKeyboard } from './keyboard.ts';
import { renderMessage } from './render.ts';

/**
 * Chats whose reply keyboard (contact / location request) is still shown. Kept in memory: after a
 * restart, or on another instance, the keyboard is removed when the parent next uses it.
 */
export class ReplyKeyboards {
  private readonly shown = new Set<number>();
  has(chatId: number): boolean {
    return this.shown.has(chatId);
  }
  set(chatId: number, shown: boolean): void {
    if (shown) this.shown.add(chatId);
    else this.shown.delete(chatId);
  }
}

export interface DeliveryContext {
  api: Api;
  translator: Translator;
  keyboards: ReplyKeyboards;
  chatId: number;
  locale: Locale;
  /** The press being answered, when the update was a callback query. */
  callback: CallbackAnswer | null;
  /** The message the pressed keyboard is on (edits go there). */
  pressedMessageId: number | null;
  /** The parent just used the reply keyboard to share this. */
  via: 'contact' | 'location' | null;
}

const REQUEST_LABEL = { contact: 'identify.contactButton', location: 'q1.locationButton' } as const;
const RECEIVED = { contact: 'telegram.contactReceived', location: 'telegram.locationReceived' } as const;

type Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | undefined;

export async function deliver(ctx: DeliveryContext, outputs: Output[]): Promise<void> {
  const { api, translator: tr, locale, chatId } = ctx;
  let pending = outputs;

  if (ctx.callback) {
    const first = outputs.find((o) => o.kind === 'notice');
    const shown = await ctx.callback.answer(first ? tr.render(locale, first.text) : undefined);
    if (shown && first) pending = outputs.filter((o) => o !== first);
  }

  const asksAgain = outputs.some((o) => o.kind === 'message' && o.request);
  let removeKeyboard = !asksAgain && (ctx.keyboards.has(chatId) || ctx.via !== null);
  let edited = false;

  const send = async (text: string, markup: Markup) => {
    await api.sendMessage(chatId, text, markup ? { reply_markup: markup } : {});
  };
  /** The removal rides on a message that has no inline keyboard of its own. */
  const takeRemoval = (): ReplyKeyboardRemove | undefined => {
    if (!removeKeyboard) return undefined;
    removeKeyboard = false;
    ctx.keyboards.set(chatId, false);
    return REMOVE_KEYBOARD;
  };

  for (const output of pending) {
    if (output.kind === 'notice') {
      await send(tr.render(locale, output.text), takeRemoval());
      continue;
    }
    const r = renderMessage(output, locale, tr);
    const leading = r.chunks.slice(0, -1);
    const last = r.chunks.at(-1) ?? '';
    if (last.trim().length === 0) continue;

    if (r.request) {
      for (const chunk of leading) await send(chunk, undefined);
      await send(last, requestKeyboard(r.request, tr.t(locale, REQUEST_LABEL[r.request])));
      ctx.keyboards.set(chatId, true);
      continue;
    }

    if (shouldEdit(ctx, output, edited) && leading.length === 0) {
      edited = true;
      if (await editPressed(ctx, last, r.inline)) continue;
    }

    if (!r.inline) {
      for (const chunk of leading) await send(chunk, undefined);
      await send(last, takeRemoval());
      continue;
    }
    if (removeKeyboard && ctx.via) await send(tr.t(locale, RECEIVED[ctx.via]), takeRemoval());
    for (const chunk of leading) await send(chunk, undefined);
    await send(last, r.inline);
  }
}

const shouldEdit = (ctx: DeliveryContext, m: Message, alreadyEdited: boolean): boolean =>
  m.mode === 'edit' && ctx.pressedMessageId !== null && !alreadyEdited;

/** Edits the pressed message; false when it cannot be edited any more. */
async function editPressed(ctx: DeliveryContext, text: string, inline: InlineKeyboardMarkup | null): Promise<boolean> {
  try {
    await ctx.api.editMessageText(ctx.chatId, ctx.pressedMessageId!, text, inline ? { reply_markup: inline } : {});
    return true;
  } catch (err) {
    if (isNotModified(err)) return true;
    if (isUneditable(err)) return false;
    throw err;
  }
}
