/**
 * The effect loop around `step`: an input is stepped, the effects it asks for are performed, their
 * results are stepped in turn, until the conversation asks for nothing more. One loop for the
 * runtime (effects against the database) and for tests and the screen catalog (effects answered
 * by a resolver), so what the tests drive is what production runs.
 */
import type { Effect, EffectResult } from './effects.ts';
import type { Input, Output } from './io.ts';
import type { ConversationState } from './state.ts';
import { step } from './step.ts';

/** What one input did: the final state, every output in order, every effect asked for. */
export interface Ran {
  state: ConversationState;
  outputs: Output[];
  effects: Effect[];
}

/** A guard against a state machine that keeps asking for effects. */
export const MAX_EFFECTS_PER_INPUT = 16;

/** Performs an effect for the conversation in `state` (the state right after the step that asked). */
export type EffectPerformer = (effect: Effect, state: ConversationState) => Promise<EffectResult | null>;
export type EffectResolver = (effect: Effect, state: ConversationState) => EffectResult | null;

/** The loop as a generator: it yields each effect and takes its result back. */
function* conversation(state: ConversationState, input: Input): Generator<{ effect: Effect; state: ConversationState }, Ran, EffectResult | null> {
  const outputs: Output[] = [];
  const effects: Effect[] = [];
  const pending: Input[] = [input];
  let current = state;
  while (pending.length > 0) {
    const r = step(current, pending.shift()!);
    current = r.state;
    outputs.push(...r.outputs);
    for (const effect of r.effects) {
      if (effects.push(effect) > MAX_EFFECTS_PER_INPUT) throw new Error('too many effects in one step');
      const result = yield { effect, state: current };
      if (result) pending.push({ type: 'result', result });
    }
  }
  return { state: current, outputs, effects };
}

/**
 * Steps `input` and performs every effect it leads to.
 *
 * @example
 * ```ts
 * const ran = await runConversation(initialState(), { type: 'start', languageHint: 'kk' }, async (effect) =>
 *   effect.type === 'setLocale' ? null : executeEffect(ctx, effect),
 * );
 * ran.state.screen; // 'language'
 * ran.outputs; // the language prompt, to render
 * ```
 */
export async function runConversation(state: ConversationState, input: Input, perform: EffectPerformer): Promise<Ran> {
  const it = conversation(state, input);
  let next = it.next();
  while (!next.done) next = it.next(await perform(next.value.effect, next.value.state));
  return next.value;
}

/** The same loop with effects answered at once (tests, the screen catalog). */
export function runConversationSync(state: ConversationState, input: Input, resolve: EffectResolver): Ran {
  const it = conversation(state, input);
  let next = it.next();
  while (!next.done) next = it.next(resolve(next.value.effect, next.value.state));
  return next.value;
}
