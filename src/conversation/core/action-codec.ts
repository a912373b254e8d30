import { COMMANDS, type Action, type Command } from './io.ts';

/**
 * Button payloads: the screen seq and an action, never text — Telegram allows 64 bytes of
 * callback data and WhatsApp reply ids are echoed back verbatim, so both carry this form.
 *   "<seq>.c.<value>"  choose       "<seq>.t.<value>.<1|0>"  toggle on/off
 *   "<seq>.d"          done         "<seq>.b"                back
 *   "<seq>.p.<page>"   page         "x.<command>"            command (valid on any keyboard)
 */
export const MAX_ACTION_BYTES = 64;

const VALUE = /^[A-Za-z0-9_:-]{1,40}$/;

export interface EncodedAction {
  seq: number;
  action: Action;
}

export function encodeAction(seq: number, action: Action): string {
  const s = String(seq);
  let data: string;
  switch (action.type) {
    case 'choose':
      data = `${s}.c.${checkValue(action.value)}`;
      break;
    case 'toggle':
      data = `${s}.t.${checkValue(action.value)}.${action.on ? 1 : 0}`;
      break;
    case 'done':
      data = `${s}.d`;
      break;
    case 'back':
      data = `${s}.b`;
      break;
    case 'page':
      data = `${s}.p.${action.page}`;
      break;
    case 'command':
      data = `x.${action.name}`;
      break;
  }
  if (Buffer.byteLength(data, 'utf8') > MAX_ACTION_BYTES) throw new Error(`action data over ${MAX_ACTION_BYTES} bytes: ${data}`);
  return data;
}

/** Decodes button data; null for anything malformed or forged beyond recognition. */
export function decodeAction(data: string): EncodedAction | null {
  if (typeof data !== 'string' || data.length === 0 || Buffer.byteLength(data, 'utf8') > MAX_ACTION_BYTES) return null;
  const parts = data.split('.');
  if (parts[0] === 'x') {
    const name = parts[1];
    return parts.length === 2 && isCommand(name) ? { seq: 0, action: { type: 'command', name } } : null;
  }
  if (!/^\d{1,9}$/.test(parts[0] ?? '')) return null;
  const seq = Number(parts[0]);
  const [, code, a, b] = parts;
  switch (code) {
    case 'c':
      return parts.length === 3 && VALUE.test(a ?? '') ? { seq, action: { type: 'choose', value: a! } } : null;
    case 't':
      return parts.length === 4 && VALUE.test(a ?? '') && (b === '1' || b === '0') ? { seq, action: { type: 'toggle', value: a!, on: b === '1' } } : null;
    case 'd':
      return parts.length === 2 ? { seq, action: { type: 'done' } } : null;
    case 'b':
      return parts.length === 2 ? { seq, action: { type: 'back' } } : null;
    case 'p':
      return parts.length === 3 && /^\d{1,4}$/.test(a ?? '') ? { seq, action: { type: 'page', page: Number(a) } } : null;
    default:
      return null;
  }
}

export function isCommand(name: string | undefined): name is Command {
  return (COMMANDS as readonly string[]).includes(name ?? '');
}

function checkValue(value: string): string {
  if (!VALUE.test(value)) throw new Error(`action value not encodable: ${value}`);
  return value;
}
