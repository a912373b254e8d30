import type { Effect } from './effects.ts';
import type { Action, Button, Message, Notice, Output, Param, Text } from './io.ts';
import type { ConversationState, Screen } from './state.ts';
import { isQuestion, resumePoint } from './flow.ts';

/** What one step of the conversation produces. */
export interface StepResult {
  state: ConversationState;
  outputs: Output[];
  effects: Effect[];
}

export const text = (key: string, params?: Record<string, Param>): Text => (params ? { key, params } : { key });

export const notice = (key: string, params?: Record<string, Param>): Notice => ({ kind: 'notice', text: text(key, params) });

export const option = (label: Text, action: Action, extra: Partial<Pick<Button, 'description' | 'selected'>> = {}): Button => ({
  text: label,
  action,
  role: 'option',
  ...extra,
});

export const nav = (label: Text, action: Action): Button => ({ text: label, action, role: 'nav' });

/** Opens the options' descriptions on channels that cannot show them beside each option. */
export const explainButton = (label: Text, action: Action): Button => ({ text: label, action, role: 'explain' });

export const backButton = (): Button => nav(text('common.back'), { type: 'back' });
export const menuButton = (): Button => nav(text('common.menu'), { type: 'command', name: 'menu' });

export function message(state: ConversationState, body: Text[], buttons: Button[], extra: Partial<Message> = {}): Message {
  return { kind: 'message', body, buttons, seq: state.seq, mode: 'new', ...extra };
}

export const done = (state: ConversationState, outputs: Output[] = [], effects: Effect[] = []): StepResult => ({
  state,
  outputs,
  effects,
});

/**
 * Moves to a new screen instance: buttons drawn for the previous one become stale. A question
 * (its free-text step as the question itself) or the summary entered is remembered, so an
 * unfinished questionnaire resumes where the parent was.
 */
export const enter = (state: ConversationState, screen: Screen): ConversationState => ({
  ...state,
  screen,
  seq: state.seq + 1,
  render: 'new',
  explain: false,
  questionAt: isQuestion(screen) ? resumePoint(screen) : screen === 'summary' ? 'summary' : state.questionAt,
});

/** Joins step results in order (named so: a module exporting `then` would be a thenable): outputs and effects concatenate, the last state wins. */
export function andThen(first: StepResult, next: (state: ConversationState) => StepResult): StepResult {
  const second = next(first.state);
  return {
    state: second.state,
    outputs: [...first.outputs, ...second.outputs],
    effects: [...first.effects, ...second.effects],
  };
}
