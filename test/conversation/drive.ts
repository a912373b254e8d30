/** Drives the pure state machine through the runtime's own loop (core/run.ts), with effects answered by a test resolver. */
import type { Effect, EffectResult } from '../../src/conversation/core/effects.ts';
import type { Input, Message, Output, Text } from '../../src/conversation/core/io.ts';
import { conversationStateSchema, type ConversationState } from '../../src/conversation/core/state.ts';
import { runConversationSync } from '../../src/conversation/core/run.ts';

export type Resolver = (effect: Effect, state: ConversationState) => EffectResult | null;

export interface Driven {
  state: ConversationState;
  outputs: Output[];
  effects: Effect[];
}

export function drive(state: ConversationState, input: Input, resolve: Resolver): Driven {
  const ran = runConversationSync(state, input, resolve);
  // Every state the machine produces must survive the trip through the database.
  conversationStateSchema.parse(JSON.parse(JSON.stringify(ran.state)));
  return ran;
}

export const lastMessage = (d: Driven): Message => {
  const m = d.outputs.filter((o): o is Message => o.kind === 'message').at(-1);
  if (!m) throw new Error(`no message in outputs: ${JSON.stringify(d.outputs)}`);
  return m;
};

export const keys = (d: Driven): string[] => d.outputs.flatMap((o) => (o.kind === 'notice' ? [o.text.key] : o.body.map((t) => t.key)));

/** The key of a label and of the texts it wraps ("1. Football" wraps the option's own label). */
export function labelKeys(t: Text): string[] {
  const nested = Object.values(t.params ?? {}).flatMap((p) => (typeof p === 'object' && p !== null && 'key' in p ? labelKeys(p) : []));
  return [t.key, ...nested];
}

/** The button whose label key, or the key of the label it wraps (and optionally action value), matches. */
export function button(m: Message, labelKey: string, value?: string) {
  const b = m.buttons.find((b) => labelKeys(b.text).includes(labelKey) && (value === undefined || ('value' in b.action && b.action.value === value)));
  if (!b) throw new Error(`no button ${labelKey} ${value ?? ''} in ${JSON.stringify(m.buttons.map((x) => [x.text.key, x.action]))}`);
  return b;
}

export const press = (m: Message, labelKey: string, value?: string): Input => ({
  type: 'action',
  seq: m.seq,
  action: button(m, labelKey, value).action,
});
