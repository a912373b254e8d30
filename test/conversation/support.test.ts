/**
 * The pure state machine's part of issue 17: where free text goes while a conversation with the
 * education department is open (never stealing a screen's own typed input), the limits it enforces
 * itself, attachments, and what the parent is told for each outcome the desk reports.
 */
import { describe, expect, it } from 'vitest';
import { SUPPORT_TEXT_MAX } from '../../src/conversation/core/support-rules.ts';
import type { AttachmentRef } from '../../src/conversation/core/io.ts';
import { keys } from './drive.ts';
import { chat, linkedChat } from './scenarios.ts';
import { World } from './world.ts';

const photo: AttachmentRef = { ref: 'f1', kind: 'photo', mime: 'image/jpeg', size: 1000, name: null, caption: 'Справка' };

describe('writing to the education department', () => {
  it('the menu button opens the prompt; the first message opens the conversation with the hours, the next ones are acknowledged', () => {
    const c = linkedChat();
    c.press('menu.write');
    expect(c.state.screen).toBe('support');
    expect(keys({ state: c.state, outputs: [c.msg], effects: [] })).toEqual(['support.prompt']);
    const first = c.text('  Заявление в стоп-листе  ');
    expect(first.effects).toEqual([{ type: 'supportMessage', text: 'Заявление в стоп-листе' }]);
    expect(keys(first)).toEqual(['support.received', 'support.hoursOpen']);
    expect(c.state.supportOpen).toBe(true);
    expect(keys(c.send({ type: 'attachment', file: photo }))).toEqual(['support.added']);
    expect(c.world.supportMessages).toEqual(['Заявление в стоп-листе', '[file f1] Справка']);
  });

  it('outside working hours the parent is told when the department answers', () => {
    const world = new World();
    world.supportHours = { ...world.supportHours, openNow: false };
    const c = linkedChat(world);
    c.text('/write');
    expect(keys(c.text('Вопрос'))).toEqual(['support.received', 'support.hoursClosed']);
  });

  it('/menu leaves it open: free text on the menu goes to the department, a typed option number still chooses', () => {
    const c = linkedChat();
    c.text('/write');
    c.text('Вопрос');
    const menu = c.text('/menu');
    expect(keys(menu)).toEqual(['menu.title', 'support.openNote']);
    expect(keys(c.text('Ещё одно'))).toEqual(['support.added']);
    // "1" on the menu is its first option, not a message.
    c.text('1');
    expect(c.state.screen).toBe('applications');
    expect(c.world.supportMessages).toEqual(['Вопрос', 'Ещё одно']);
  });

  it('screens that ask for typed input keep it: a kindergarten search is not a message to the department', () => {
    const c = linkedChat();
    c.text('/write');
    c.text('Вопрос');
    c.text('/extend');
    expect(c.state.screen).toBe('q1');
    c.text('Балапан');
    expect(c.state.kg.query).toBe('Балапан');
    expect(c.world.supportMessages).toEqual(['Вопрос']);
  });

  it(`refuses over ${SUPPORT_TEXT_MAX} characters in words, without asking the desk`, () => {
    const c = linkedChat();
    c.text('/write');
    const r = c.text('я'.repeat(SUPPORT_TEXT_MAX + 1));
    expect(r.effects).toEqual([]);
    expect(keys(r)[0]).toBe('support.tooLong');
    const caption = c.send({ type: 'attachment', file: { ...photo, caption: 'я'.repeat(SUPPORT_TEXT_MAX + 1) } });
    expect(keys(caption)[0]).toBe('support.tooLong');
    expect(c.world.supportMessages).toEqual([]);
  });

  it('a file sent with no conversation open gets the way to send it; an unidentified parent may write, and Back returns to identification', () => {
    const m = linkedChat();
    expect(keys(m.send({ type: 'attachment', file: photo }))[0]).toBe('support.attachHint');
    const c = chat();
    c.send({ type: 'start', languageHint: null });
    c.press('language.kk');
    c.text('/write');
    expect(c.state.screen).toBe('support');
    c.text('ЖСН табылмады');
    expect(c.world.supportMessages).toEqual(['ЖСН табылмады']);
    // Text on the contact step now goes to the department too (the conversation is open).
    // Back on the prompt (the receipt has no buttons for a parent who is not identified).
    c.send({ type: 'action', seq: c.state.seq, action: { type: 'back' } });
    expect(c.state.screen).toBe('contact');
    expect(keys(c.text('Тағы'))).toEqual(['support.added']);
  });

  it.each([
    ['slowDown', ['support.slowDown']],
    ['slowDownQuiet', []],
    ['fileTooBig', ['support.fileTooBig']],
    ['fileType', ['support.fileType']],
    ['fileFailed', ['support.fileFailed']],
  ] as const)('the desk answers %s: the parent is told %j and the conversation stays as it was', (outcome, told) => {
    const world = new World();
    world.supportOutcome = outcome;
    const c = linkedChat(world);
    c.text('/write');
    const before = c.state;
    expect(keys(c.send({ type: 'attachment', file: photo }))).toEqual(told);
    expect(c.state).toEqual(before);
  });
});
