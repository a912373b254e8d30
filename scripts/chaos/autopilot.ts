/**
 * What a simulated parent presses next: the conversation benchmark's plain autopilot over the
 * buttons shown (scripts/bench/conversation.ts), for Telegram buttons and WhatsApp controls alike
 * (both carry the same encoded actions). And how a parent tells a campaign reminder from the
 * conversation's own screens: by the reminder's closing sentence from the locales.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeAction } from '../../src/conversation/core/action-codec.ts';
import type { Action } from '../../src/conversation/core/io.ts';
import { PROJECT_ROOT } from '../../src/db/migrations/paths.ts';

export interface Button {
  text: string;
  data: string;
}

export function nextPress(buttons: Button[], tickedHere: boolean): { data: string; final: boolean } | null {
  const decoded = buttons.map((b) => ({ ...b, d: decodeAction(b.data) })).filter((b) => b.d !== null) as (Button & { d: { seq: number; action: Action } })[];
  const is = (a: Action, type: Action['type'], value?: string) => a.type === type && (value === undefined || ('value' in a && a.value === value));
  const confirm = decoded.find((b) => is(b.d.action, 'choose', 'confirm'));
  if (confirm) return { data: confirm.data, final: true };
  const done = decoded.find((b) => is(b.d.action, 'done'));
  if (done && tickedHere) return { data: done.data, final: false };
  const toggle = decoded.find((b) => b.d.action.type === 'toggle' && b.d.action.on && b.d.action.value !== 'other');
  if (toggle) return { data: toggle.data, final: false };
  const choose = decoded.find((b) => b.d.action.type === 'choose' && !/^(near|clear|e\d|kk|ru)$/.test(b.d.action.value));
  if (choose) return { data: choose.data, final: false };
  return done ? { data: done.data, final: false } : null;
}

export const isToggle = (data: string) => decodeAction(data)?.action.type === 'toggle';

export const isCommand = (data: string, name: string) => {
  const a = decodeAction(data)?.action;
  return a?.type === 'command' && a.name === name;
};

export const isChoice = (data: string, value: string) => {
  const a = decodeAction(data)?.action;
  return a?.type === 'choose' && a.value === value;
};

const reminderEndings = (['ru', 'kk'] as const).map((locale) => {
  const file = path.join(PROJECT_ROOT, 'locales', locale, 'campaign.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { campaign: { reminder: { howTo: string } } }).campaign.reminder.howTo;
});

/** A campaign reminder (not a conversation screen). */
export function isReminderText(text: string): boolean {
  return reminderEndings.some((ending) => text.includes(ending));
}
