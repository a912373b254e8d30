/**
 * Sends the core's outputs for one update to the chat.
 *
 * - A callback query is answered first (see callback-answer.ts), with the first notice as its text.
 * - `mode: 'edit'` after a button press edits the pressed message in place (toggles, page turns);
 *   an edit that changes nothing is fine, an edit that is no longer possible becomes a new message.
 * - `mode: 'refresh'` (the screen changed by typed input: a search, typed numbers) edits the
 *   message that shows the screen (the chat's anchor) and says so in a short line below; without
 *   an anchor for this screen it is sent anew.
 * - `mode: 'repeat'` (the screen unchanged after a notice) is not sent again when the anchor shows
 *   it; a press on an old keyboard then turns that message into the current screen (no new
 *   message), and typed input with no anchor gets the screen anew — the parent is never left
 *   without the current buttons, even if a reply was lost.
 * - The message that shows the screen afterwards is returned, to be kept as the chat's anchor.
 * - Other notices are sent as plain messages.
 * - `request` shows the native contact / location button under the input field; once the parent
 *   used it (or the conversation moved on) it is removed with the next message that can carry
 *   `remove_keyboard` — a message without inline buttons, or a short acknowledgement of the shared
 *   contact or location before a message with inline buttons (one message carries one markup).
 */
import type { Api } from 'grammy';
import type { InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove } from 'grammy/types';
import type { Message, Output, ScreenAnchor } from '../../src/conversation/index.ts';
import type { TextLocale, Translator } from '../../src/i18n/index.ts';
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
  locale: TextLocale;
  /** The press being answered, when the update was a callback query. */
  callback: CallbackAnswer | null;
  /** The message the pressed keyboard is on (edits go there). */
  pressedMessageId: number | null;
  /** The parent just used the reply keyboard to share this. */
  via: 'contact' | 'location' | null;
  /** The message that showed the conversation's screen before this update, as last recorded. */
  anchor: ScreenAnchor | null;
}

const REQUEST_LABEL = { contact: 'identify.contactButton', location: 'q1.locationButton' } as const;
const RECEIVED = { contact: 'telegram.contactReceived', location: 'telegram.locationReceived' } as const;

type Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | undefined;

/** Sends the outputs; returns the message that now shows the screen when it changed (the new anchor). */
export async function deliver(ctx: DeliveryContext, outputs: Output[]): Promise<ScreenAnchor | null> {
  const { api, translator: tr, locale, chatId } = ctx;
  let pending = outputs;
  let anchor: ScreenAnchor | null = null;
  const shown = () => anchor ?? ctx.anchor;

  if (ctx.callback) {
    const first = outputs.find((o) => o.kind === 'notice');
    const shown = await ctx.callback.answer(first ? tr.render(locale, first.text) : undefined);
    if (shown && first) pending = outputs.filter((o) => o !== first);
  }

  const asksAgain = outputs.some((o) => o.kind === 'message' && o.request);
  let removeKeyboard = !asksAgain && (ctx.keyboards.has(chatId) || ctx.via !== null);
  let edited = false;

  const send = async (text: string, markup: Markup) => {
    const sent = await api.sendMessage(chatId, text, markup ? { reply_markup: markup } : {});
    return String(sent.message_id);
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
      // The native button is still under the input field: a notice is enough.
      if (output.mode === 'repeat' && ctx.keyboards.has(chatId)) continue;
      for (const chunk of leading) await send(chunk, undefined);
      await send(last, requestKeyboard(r.request, tr.t(locale, REQUEST_LABEL[r.request])));
      ctx.keyboards.set(chatId, true);
      continue;
    }

    const showing = shown();
    const anchored = showing !== null && showing.seq === output.seq;
    // The same screen, unchanged, already in the chat: only the notice goes out.
    if (output.mode === 'repeat' && anchored && r.inline) continue;
    const target = editTarget(ctx, output, anchored ? showing.messageId : null, edited);
    if (target !== null && leading.length === 0) {
      edited = true;
      if (await editMessage(ctx, target, last, r.inline)) {
        if (r.inline) anchor = { seq: output.seq, messageId: target };
        if (output.mode === 'refresh' && target !== pressed(ctx)) await send(tr.t(locale, 'telegram.refreshed'), takeRemoval());
        continue;
      }
    }

    if (!r.inline) {
      for (const chunk of leading) await send(chunk, undefined);
      await send(last, takeRemoval());
      continue;
    }
    if (removeKeyboard && ctx.via) await send(tr.t(locale, RECEIVED[ctx.via]), takeRemoval());
    for (const chunk of leading) await send(chunk, undefined);
    anchor = { seq: output.seq, messageId: await send(last, r.inline) };
  }
  return anchor;
}

const pressed = (ctx: DeliveryContext): string | null => (ctx.pressedMessageId === null ? null : String(ctx.pressedMessageId));

/**
 * The message to redraw in place, if any: the pressed one for a toggle or page turn (`edit`), and
 * for a press on an old keyboard whose screen has no anchor (`repeat`); the anchor for a screen
 * changed by typed input (`refresh`). One edit per update.
 */
function editTarget(ctx: DeliveryContext, m: Message, anchorId: string | null, alreadyEdited: boolean): string | null {
  if (alreadyEdited) return null;
  switch (m.mode) {
    case 'edit':
      return pressed(ctx);
    case 'repeat':
      return anchorId === null ? pressed(ctx) : null;
    case 'refresh':
      return anchorId;
    case 'new':
      return null;
  }
}

/** Edits a message of the chat; false when it cannot be edited any more. */
async function editMessage(ctx: DeliveryContext, messageId: string, text: string, inline: InlineKeyboardMarkup | null): Promise<boolean> {
  try {
    await ctx.api.editMessageText(ctx.chatId, Number(messageId), text, inline ? { reply_markup: inline } : {});
    return true;
  } catch (err) {
    if (isNotModified(err)) return true;
    if (isUneditable(err)) return false;
    throw err;
  }
}
