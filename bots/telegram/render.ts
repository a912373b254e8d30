/**
 * A neutral message as a Telegram message: plain text (no parse_mode, so names with "*" or "<"
 * are shown as they are) with the paragraphs separated by blank lines, and an inline keyboard.
 * Button descriptions (a kindergarten's ownership, languages and demand) have no place on a
 * Telegram button, so they are listed in the text under the body — at once, or when the parent
 * asks for them (`details: 'onRequest'`, question 6).
 */
import type { InlineKeyboardMarkup } from 'grammy/types';
import type { Message } from '../../src/conversation/index.ts';
import type { TextLocale, Translator } from '../../src/i18n/index.ts';
import { inlineKeyboard, type LabelledButton } from './keyboard.ts';

/** The Bot API's limit for a message text. */
export const MAX_TEXT = 4096;

export interface RenderedMessage {
  /** The text in pieces of at most MAX_TEXT characters; the keyboard goes with the last one. */
  chunks: string[];
  inline: InlineKeyboardMarkup | null;
  request: 'contact' | 'location' | null;
}

/**
 * One screen of the conversation as a Telegram message, in `locale`: the text in chunks of at most
 * {@link MAX_TEXT} characters, an inline keyboard whose callback data is the button's action with
 * the screen's seq (`src/conversation/core/action-codec.ts`, at most 64 bytes), and whether the reply
 * keyboard must ask for the contact or the location. Pure: sending (a new message or an edit of
 * the pressed one) is delivery.ts's. Notices are plain texts and need no rendering.
 *
 * @example
 * ```ts
 * import { initialState } from '../../src/conversation/core/state.ts';
 * import { step } from '../../src/conversation/core/step.ts';
 * import { createTranslator } from '../../src/i18n/translator.ts';
 * import { renderMessage } from './render.ts';
 *
 * const tr = await createTranslator({ portal: 'https://egov.kz', supportPhone: '1414' });
 * const { outputs } = step(initialState(), { type: 'start', languageHint: 'ru' });
 * for (const output of outputs) {
 *   if (output.kind !== 'message') continue;
 *   const { chunks, inline, request } = renderMessage(output, 'ru', tr);
 *   // chunks: ['Тілді таңдаңыз / Выберите язык'], request: null
 *   // inline: { inline_keyboard: [[{ text: 'Қазақша', callback_data: '1.c.kk' }, { text: '✅ Русский', callback_data: '1.c.ru' }]] }
 * }
 * ```
 */
export function renderMessage(m: Message, locale: TextLocale, tr: Translator): RenderedMessage {
  const paragraphs = m.body.map((t) => tr.render(locale, t));
  // Descriptions kept behind the screen's "what do these mean" button are listed once it is pressed.
  const details = m.buttons
    .filter((b) => b.role === 'option' && b.description && m.details !== 'onRequest')
    .map((b) => tr.t(locale, 'telegram.optionDetails', { label: b.text, details: b.description! }));
  if (details.length > 0) paragraphs.push(details.join('\n'));
  if (m.paging && m.paging.pages > 1) paragraphs.push(tr.t(locale, 'telegram.page', { page: m.paging.page + 1, pages: m.paging.pages }));

  const buttons: LabelledButton[] = m.buttons.map((b) => ({
    label: tr.render(locale, b.text),
    selected: b.selected === true,
    action: b.action,
    role: b.role,
    listed: b.description !== undefined && m.details !== 'onRequest',
  }));
  return {
    chunks: splitText(paragraphs.filter((p) => p.length > 0).join('\n\n')),
    inline: inlineKeyboard(buttons, m.seq, tr.t(locale, 'common.tick')),
    request: m.request ?? null,
  };
}

/** Splits a long text at paragraph, then line, then hard boundaries. */
export function splitText(text: string, max = MAX_TEXT): string[] {
  if (text.length <= max) return [text];
  const chunks: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const window = rest.slice(0, max);
    let cut = window.lastIndexOf('\n\n');
    if (cut < max / 2) cut = window.lastIndexOf('\n');
    if (cut < max / 2) cut = max;
    chunks.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest.length > 0) chunks.push(rest);
  return chunks;
}
