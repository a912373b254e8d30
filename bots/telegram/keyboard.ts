/**
 * Inline keyboard layout: the core's buttons keep their order; consecutive buttons of the same
 * role form a block, laid out as a grid whose width follows the block's longest label (payment
 * brackets three per row) — list entries with details (kindergartens) one per row — with page turns (◀ ▶) side
 * by side on a row of their own. Navigation thus stays at the bottom where the core put it.
 */
import type { InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup } from 'grammy/types';
import { MAX_ACTION_BYTES, encodeAction, type Action, type ButtonRole } from '../../src/conversation/index.ts';

export interface LabelledButton {
  /** The label without the selection mark (the layout must not change when a tick appears). */
  label: string;
  selected?: boolean;
  action: Action;
  role: ButtonRole;
  /** An entry of a list with details (a kindergarten): always a row of its own. */
  listed?: boolean;
}

/** Labels up to this many characters fit three to a row on a phone, up to the second two. */
const THREE_PER_ROW = 12;
const TWO_PER_ROW = 18;

export function perRow(labels: string[]): number {
  const longest = Math.max(0, ...labels.map((l) => [...l].length));
  return longest <= THREE_PER_ROW ? 3 : longest <= TWO_PER_ROW ? 2 : 1;
}

/** `tick` marks selected buttons ("✅ Chess"). */
export function inlineKeyboard(buttons: LabelledButton[], seq: number, tick = '✅'): InlineKeyboardMarkup | null {
  if (buttons.length === 0) return null;
  const rows: InlineKeyboardButton[][] = [];
  for (const block of blocks(buttons)) {
    const pages = block.filter((b) => b.action.type === 'page');
    const rest = block.filter((b) => b.action.type !== 'page');
    if (pages.length > 0) rows.push(pages.map((b) => callbackButton(b, seq, tick)));
    const width = rest.some((b) => b.listed) ? 1 : perRow(rest.map((b) => b.label));
    for (let i = 0; i < rest.length; i += width) rows.push(rest.slice(i, i + width).map((b) => callbackButton(b, seq, tick)));
  }
  return { inline_keyboard: rows };
}

function blocks(buttons: LabelledButton[]): LabelledButton[][] {
  const out: LabelledButton[][] = [];
  for (const b of buttons) {
    const last = out.at(-1);
    if (last && last[0]!.role === b.role) last.push(b);
    else out.push([b]);
  }
  return out;
}

function callbackButton(b: LabelledButton, seq: number, tick: string): InlineKeyboardButton.CallbackButton {
  const data = encodeAction(seq, b.action);
  // encodeAction already refuses longer data; Telegram rejects the whole message otherwise.
  if (Buffer.byteLength(data, 'utf8') > MAX_ACTION_BYTES) throw new Error('callback_data over 64 bytes');
  return { text: b.selected ? `${tick} ${b.label}` : b.label, callback_data: data };
}

/** The native "share my phone number" / "send my location" keyboard under the input field. */
export function requestKeyboard(request: 'contact' | 'location', label: string): ReplyKeyboardMarkup {
  const button: KeyboardButton = request === 'contact' ? { text: label, request_contact: true } : { text: label, request_location: true };
  return { keyboard: [[button]], resize_keyboard: true, one_time_keyboard: true };
}

export const REMOVE_KEYBOARD = { remove_keyboard: true } as const;
