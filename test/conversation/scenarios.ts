/** Scripted chats over the pure state machine, shared by the unit and i18n tests. */
import { expect } from 'vitest';
import type { Input, Message, Output } from '../../src/conversation/core/io.ts';
import { initialState, type ConversationState } from '../../src/conversation/core/state.ts';
import { drive, lastMessage, press, type Driven } from './drive.ts';
import { PARENT_IIN, PHONE, World } from './world.ts';

/** A chat driven input by input, keeping the world and the last result. */
export function chat(world = new World()) {
  let state: ConversationState = initialState();
  let last: Driven = { state, outputs: [], effects: [] };
  const log: Output[] = [];
  const send = (input: Input): Driven => {
    last = drive(state, input, world.resolve);
    state = last.state;
    log.push(...last.outputs);
    return last;
  };
  return {
    world,
    send,
    /** Every output of the chat so far. */
    log,
    get state() {
      return state;
    },
    set state(s: ConversationState) {
      state = s;
    },
    get msg(): Message {
      return lastMessage(last);
    },
    press: (labelKey: string, value?: string) => send(press(lastMessage(last), labelKey, value)),
    text: (text: string) => send({ type: 'text', text }),
  };
}

/** Language, contact and IIN: a linked chat on the main menu. */
export function linkedChat(world = new World(), locale: 'kk' | 'ru' = 'ru') {
  const c = chat(world);
  c.send({ type: 'start', languageHint: null });
  c.press(`language.${locale}`);
  c.send({ type: 'contact', phone: PHONE, own: true });
  c.text(PARENT_IIN);
  expect(c.state.screen).toBe('menu');
  return c;
}

/** From the menu through all six questions with the given picks, to the summary. */
export function fillQuestionnaire(c: ReturnType<typeof chat>) {
  c.send({ type: 'command', name: 'extend' });
  expect(c.state.screen).toBe('q1');
  c.press('kindergarten.short', undefined);
  c.press('q1.done');
  expect(c.state.screen).toBe('q2');
  c.press('options.ownership.STATE');
  expect(c.state.screen).toBe('q2why');
  c.press('options.reason.QUALITY');
  c.press('options.language.KK');
  c.press('options.payment', '25000');
  c.press('options.sections.chess');
  c.press('options.sections.drawing');
  c.press('common.done');
  expect(c.state.screen).toBe('q6');
  c.press('options.digital.cashless');
  c.press('common.done');
  expect(c.state.screen).toBe('summary');
}
