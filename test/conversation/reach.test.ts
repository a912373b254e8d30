/**
 * The pure state machine's part of issue 15: deep links that name the parent (the phone proven,
 * the IIN still asked) and the opt-out, confirmed when typed, at once from a template's Stop.
 */
import { describe, expect, it } from 'vitest';
import { isStopWord } from '../../src/conversation/core/stop-words.ts';
import { initialState } from '../../src/conversation/core/state.ts';
import { upgradeState } from '../../src/conversation/core/state-versions.ts';
import { button, keys } from './drive.ts';
import { chat, linkedChat } from './scenarios.ts';
import { PARENT_IIN, PHONE, World } from './world.ts';

const TOKEN = 'LaaaaaaaaaaaBBBBBBBBBBBB';

function withLink(locale: 'kk' | 'ru' | null = 'kk') {
  const world = new World();
  world.links.set(TOKEN, { phone: PHONE, locale });
  return chat(world);
}

describe('deep links', () => {
  it("a valid link proves the registry phone: straight to the IIN prompt in the parent's language, no contact step", () => {
    const c = withLink('kk');
    const r = c.send({ type: 'start', languageHint: 'ru', link: TOKEN });
    expect(r.effects).toEqual([
      { type: 'redeemLink', token: TOKEN },
      { type: 'identifyPhone', phone: PHONE },
    ]);
    expect(keys(r)).toEqual(['link.accepted', 'identify.iinPrompt']);
    expect(c.state).toMatchObject({ screen: 'iin', phone: PHONE, locale: 'kk', linked: false });
    expect(r.outputs.some((o) => o.kind === 'message' && o.request === 'contact')).toBe(false);
    // The IIN is still the second factor.
    const done = c.text(PARENT_IIN);
    expect(done.effects).toEqual([{ type: 'verifyIin', phone: PHONE, iin: PARENT_IIN }]);
    expect(c.state).toMatchObject({ linked: true, screen: 'menu' });
  });

  it('a parent with no registry language chooses one first, then goes on to the IIN (not to the contact)', () => {
    const c = withLink(null);
    const r = c.send({ type: 'start', link: TOKEN });
    expect(keys(r)).toEqual(['link.accepted', 'language.prompt']);
    expect(c.state).toMatchObject({ screen: 'language', phone: PHONE, locale: null });
    const chosen = c.press('language.ru');
    expect(chosen.effects).toEqual([
      { type: 'setLocale', locale: 'ru' },
      { type: 'identifyPhone', phone: PHONE },
    ]);
    expect(c.state).toMatchObject({ screen: 'iin', locale: 'ru' });
  });

  it('a refused link (forged, used, expired, phone changed — one answer) gets one polite text and the usual identification', () => {
    const c = chat();
    const r = c.send({ type: 'start', languageHint: 'ru-RU', link: 'Lforged00000000000000000' });
    expect(keys(r)).toEqual(['link.invalid', 'language.prompt']);
    expect(c.state).toMatchObject({ screen: 'language', phone: null, locale: 'ru' });
    expect(button(c.msg, 'language.ru').selected).toBe(true);
    c.press('language.ru');
    expect(c.state.screen).toBe('contact');
  });

  it('the same link tapped again by the chat that holds its phone: the IIN is asked again, the phone kept', () => {
    const c = withLink('ru');
    c.send({ type: 'start', link: TOKEN });
    const again = c.send({ type: 'start', link: TOKEN });
    expect(keys(again)).toEqual(['link.invalid', 'identify.iinPrompt']);
    expect(c.state).toMatchObject({ screen: 'iin', phone: PHONE });
    expect(c.world.redeemed).toEqual([TOKEN]);
  });

  it('WhatsApp: the code in the first message redeems it; a linked chat ignores links and codes', () => {
    const c = withLink('ru');
    const r = c.text(`${TOKEN}`);
    expect(r.effects[0]).toEqual({ type: 'redeemLink', token: TOKEN });
    expect(c.state.screen).toBe('iin');
    // Among other words, too (a parent who types around it).
    const other = withLink('ru');
    expect(other.text(`Здравствуйте ${TOKEN}`).effects[0]).toEqual({ type: 'redeemLink', token: TOKEN });

    const l = linkedChat(new World(), 'ru');
    l.world.links.set(TOKEN, { phone: PHONE, locale: 'ru' });
    expect(l.send({ type: 'start', link: TOKEN }).effects).toEqual([]);
    expect(l.state.screen).toBe('menu');
    expect(l.text(TOKEN).effects).toEqual([]);
    expect(l.world.links.has(TOKEN)).toBe(true);
  });

  it('a code glued into other text, a URL or a stop-list word is not a link', () => {
    const c = chat();
    expect(c.text(`x${TOKEN}`).effects).toEqual([]);
    expect(c.text(`https://wa.me/77001234567?text=${TOKEN}`).effects).toEqual([]);
  });
});

describe('opt-out', () => {
  it.each(['стоп', 'СТОП', 'Тоқтату', 'токтату', 'stop', 'Stop!', ' STOP. '])('"%s" alone asks for confirmation', (word) => {
    expect(isStopWord(word)).toBe(true);
  });

  it.each(['стоп-лист', 'не стоп', 'stop it', 'тоқтатуға'])('"%s" is not a stop word', (text) => {
    expect(isStopWord(text)).toBe(false);
  });

  it('typed "стоп" asks first; Back returns to where the parent was, nothing stored', () => {
    const c = linkedChat(new World(), 'ru');
    c.send({ type: 'command', name: 'applications' });
    const asked = c.text('стоп');
    expect(asked.effects).toEqual([]);
    expect(keys(asked)).toEqual(['optOut.confirm']);
    expect(c.state).toMatchObject({ screen: 'optOut', optOutFrom: 'applications' });
    c.press('common.back');
    expect(c.state).toMatchObject({ screen: 'applications', optOutFrom: null });
    expect(c.world.optOuts).toEqual([]);
  });

  it('confirmed: stored for the chat ("bot"), the parent told how to get messages again, and back on their screen', () => {
    const c = linkedChat(new World(), 'kk');
    c.send({ type: 'command', name: 'extend' });
    c.press('kindergarten.short');
    c.text('тоқтату');
    const r = c.press('optOut.confirmButton');
    expect(r.effects).toEqual([{ type: 'optOut', source: 'bot' }, expect.objectContaining({ type: 'searchKindergartens' })]);
    expect(c.world.optOuts).toEqual(['bot']);
    expect(keys(r)[0]).toBe('optOut.done');
    const note = r.outputs[0];
    expect(note?.kind === 'message' && note.buttons.map((b) => b.action)).toEqual([{ type: 'command', name: 'notify' }]);
    // The questionnaire goes on where it was, the tick kept.
    expect(c.state).toMatchObject({ screen: 'q1', optOutFrom: null });
    expect(c.state.draft.kindergartens).toHaveLength(1);
    // /notify (or the button) opts in again.
    const back = c.send({ type: 'command', name: 'notify' });
    expect(back.effects[0]).toEqual({ type: 'optIn' });
    expect(keys(back)[0]).toBe('optIn.done');
    expect(c.world.optIns).toBe(1);
  });

  it('/stop works like the word; asked again on the confirmation it keeps where to return', () => {
    const c = linkedChat(new World(), 'ru');
    c.text('/stop');
    c.text('stop');
    expect(c.state).toMatchObject({ screen: 'optOut', optOutFrom: 'menu' });
    c.press('common.back');
    expect(c.state.screen).toBe('menu');
  });

  it('a template\'s Stop is stored at once ("template"), with no confirmation and no screen pushed', () => {
    const c = chat();
    const r = c.send({ type: 'templateStop' });
    expect(r.effects).toEqual([{ type: 'optOut', source: 'template' }]);
    expect(keys(r)).toEqual(['optOut.done']);
    expect(c.world.optOuts).toEqual(['template']);
    // The chat never chose a language: it now speaks its registry parent's.
    expect(c.state).toMatchObject({ screen: 'language', seq: 0, locale: 'ru' });
  });

  it('before a language is known the confirmation reads in both languages, with labels that fit', () => {
    const c = chat();
    c.text('STOP');
    expect(c.msg.buttons.map((b) => b.text.key)).toEqual(['optOut.confirmButtonBoth', 'optOut.backBoth']);
  });

  it('a chat that stands for nobody is told so, and nothing is stored', () => {
    const world = new World();
    world.chatParents = 0;
    const c = chat(world);
    c.send({ type: 'start', languageHint: 'ru' });
    c.text('стоп');
    const r = c.press('optOut.confirmButton');
    expect(keys(r)).toEqual(['optOut.nothing', 'language.prompt']);
    expect(world.optOuts).toEqual([]);
  });

  it('a stored v2 conversation loads as v4 with nowhere to return from an opt-out and no conversation with the department', () => {
    const { optOutFrom: _omit, supportOpen: _none, ...v2 } = { ...initialState(), v: 2 };
    const up = upgradeState(v2);
    expect(up).toMatchObject({ kind: 'upgraded', from: 2, state: { v: 4, optOutFrom: null, supportOpen: false } });
  });
});
