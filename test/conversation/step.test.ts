import { describe, expect, it } from 'vitest';
import type { Message } from '../../src/conversation/core/io.ts';
import { answersSchema } from '../../src/questionnaire/answers.ts';
import { button, keys, lastMessage, press } from './drive.ts';
import { chat, fillQuestionnaire, linkedChat } from './scenarios.ts';
import { CHILD_IIN, OTHER_IIN, PARENT_IIN, PHONE, World } from './world.ts';

describe('start and language', () => {
  it('shows the bilingual language choice, preselected from a kk/ru language code', () => {
    const c = chat();
    c.send({ type: 'start', languageHint: 'kk-KZ' });
    expect(c.state.screen).toBe('language');
    expect(c.state.locale).toBe('kk');
    expect(button(c.msg, 'language.kk').selected).toBe(true);
    expect(button(c.msg, 'language.ru').selected).toBe(false);
  });

  it('ignores other language codes', () => {
    const c = chat();
    c.send({ type: 'start', languageHint: 'en' });
    expect(c.state.locale).toBeNull();
  });

  it('opens the conversation with any first message (WhatsApp)', () => {
    const c = chat();
    c.text('Сәлем');
    expect(c.state.screen).toBe('language');
    expect(keys({ ...c, outputs: [c.msg], effects: [], state: c.state })).toEqual(['language.prompt']);
  });

  it('asks for the contact after the language is chosen', () => {
    const c = chat();
    c.send({ type: 'start' });
    c.press('language.ru');
    expect(c.state.locale).toBe('ru');
    expect(c.state.screen).toBe('contact');
    expect(c.msg.request).toBe('contact');
  });
});

describe('identification', () => {
  it("refuses another person's contact and stays on the contact step", () => {
    const c = chat();
    c.send({ type: 'start' });
    c.press('language.ru');
    const r = c.send({ type: 'contact', phone: PHONE, own: false });
    expect(keys(r)).toContain('identify.notOwnContact');
    expect(c.state.screen).toBe('contact');
    expect(r.effects).toEqual([]);
  });

  it('says when the proven phone is not in the registry', () => {
    const c = chat();
    c.send({ type: 'start' });
    c.press('language.ru');
    const r = c.send({ type: 'contact', phone: '+7 702 999 88 77', own: true });
    expect(r.effects).toEqual([{ type: 'identifyPhone', phone: '+77029998877' }]);
    expect(keys(r)).toContain('identify.phoneNotFound');
    expect(c.state.screen).toBe('contact');
    expect(c.state.phone).toBeNull();
  });

  it("accepts the parent's or a child's IIN as the second factor", () => {
    for (const iin of [PARENT_IIN, CHILD_IIN]) {
      const c = chat();
      c.send({ type: 'start' });
      c.press('language.kk');
      c.send({ type: 'verifiedPhone', phone: '77010000001' });
      expect(c.state.screen).toBe('iin');
      const r = c.text(iin.replace(/(\d{6})/, '$1 '));
      expect(r.effects).toContainEqual({ type: 'verifyIin', phone: PHONE, iin });
      expect(c.state.linked).toBe(true);
      expect(c.state.screen).toBe('menu');
      expect(c.state.phone).toBeNull();
      expect(keys(r)).toContain('identify.welcome');
    }
  });

  it('rejects malformed IINs locally without spending an attempt', () => {
    const c = chat();
    c.send({ type: 'start' });
    c.press('language.ru');
    c.send({ type: 'contact', phone: PHONE, own: true });
    const broken = PARENT_IIN.slice(0, 11) + String((Number(PARENT_IIN[11]) + 1) % 10);
    const cases: [string, string][] = [
      ['12345', 'identify.iinInvalid.format'],
      ['abcdefghijkl', 'identify.iinInvalid.format'],
      [broken, 'identify.iinInvalid.checkDigit'],
      ['901331300012', 'identify.iinInvalid.birthDate'],
    ];
    for (const [text, key] of cases) {
      const r = c.text(text);
      expect(keys(r)).toContain(key);
      expect(r.effects).toEqual([]);
      expect(c.state.screen).toBe('iin');
    }
    expect(c.world.failures).toBe(0);
  });

  it('counts down wrong IINs and locks out after the limit', () => {
    const c = chat();
    c.send({ type: 'start' });
    c.press('language.ru');
    c.send({ type: 'contact', phone: PHONE, own: true });
    for (let left = 4; left >= 1; left--) {
      const r = c.text(OTHER_IIN);
      const n = r.outputs.find((o) => o.kind === 'notice' && o.text.key === 'identify.iinMismatch');
      expect(n?.kind === 'notice' && n.text.params).toEqual({ count: left });
      // The IIN prompt stays as it was: the channel need not send it again.
      expect(r.outputs.filter((o) => o.kind === 'message').map((o) => (o as Message).mode)).toEqual(['repeat']);
    }
    const r = c.text(OTHER_IIN);
    expect(keys(r)).toContain('identify.locked');
    expect(c.state.linked).toBe(false);
    // Even the right IIN is refused while locked.
    expect(keys(c.text(PARENT_IIN))).toContain('identify.locked');
    expect(c.state.linked).toBe(false);
  });

  it('asks to identify first when a menu command comes before identification', () => {
    const c = chat();
    c.send({ type: 'start' });
    c.press('language.ru');
    for (const name of ['menu', 'extend', 'restore', 'applications', 'questionnaire'] as const) {
      const r = c.send({ type: 'command', name });
      expect(keys(r)).toContain('identify.first');
      expect(r.effects).toEqual([]);
      expect(c.state.screen).toBe('contact');
    }
  });

  it('a typed phone number is not accepted as a contact', () => {
    const c = chat();
    c.send({ type: 'start' });
    c.press('language.ru');
    const r = c.text('+77010000001');
    expect(keys(r)).toContain('identify.useContactButton');
    expect(r.effects).toEqual([]);
  });
});

describe('questionnaire', () => {
  it('walks all six questions and extends the applications with valid answers', () => {
    const c = linkedChat();
    fillQuestionnaire(c);
    const confirm = button(c.msg, 'summary.confirmExtend');
    expect(confirm.text.params).toEqual({ count: 2 });
    const r = c.press('summary.confirmExtend');
    expect(c.world.submitted).toHaveLength(1);
    const answers = answersSchema.parse(c.world.submitted[0]);
    expect(answers).toMatchObject({
      ownership: 'STATE',
      ownershipReason: 'QUALITY',
      language: 'KK',
      maxPayment: 25000,
      sections: ['chess', 'drawing'],
      sectionsOther: null,
      digital: ['cashless'],
      digitalOther: null,
    });
    expect(answers.kindergartens.map((k) => k.id)).toEqual([100]);
    expect(keys(r)).toContain('extend.done');
    expect(c.state.screen).toBe('menu');
    expect(c.state.draft.kindergartens).toEqual([]);
  });

  it('shows "Question N of 6" on every question', () => {
    const c = linkedChat();
    c.send({ type: 'command', name: 'extend' });
    const seen: number[] = [];
    const record = () => seen.push(Number(c.msg.body.find((t) => t.key === 'questionnaire.progress')!.params!.n));
    record();
    c.press('kindergarten.short');
    c.press('q1.done');
    record();
    c.press('options.ownership.ANY');
    record();
    c.press('options.language.RU');
    record();
    c.press('options.payment', '10000');
    record();
    c.press('common.doneNone');
    record();
    expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('skips "why" when any ownership will do, and clears an earlier reason', () => {
    const c = linkedChat();
    fillQuestionnaire(c);
    c.press('summary.edit', 'e2');
    c.press('options.ownership.ANY');
    expect(c.state.screen).toBe('summary');
    expect(c.state.draft.ownershipReason).toBeNull();
    c.press('summary.confirmExtend');
    expect(c.world.submitted[0]!.ownershipReason).toBeNull();
  });

  it('Back on every question returns to the previous one, keeping the answers', () => {
    const c = linkedChat();
    fillQuestionnaire(c);
    const trail: string[] = [];
    while (c.state.screen !== 'menu') {
      c.press('common.back');
      trail.push(c.state.screen);
    }
    expect(trail).toEqual(['q6', 'q5', 'q4', 'q3', 'q2why', 'q2', 'q1', 'menu']);
    expect(c.state.draft.maxPayment).toBe(25000);
    expect(c.state.draft.sections).toEqual(['chess', 'drawing']);
  });

  it('edits any answer from the summary and comes back to it', () => {
    const c = linkedChat();
    fillQuestionnaire(c);
    c.press('summary.edit', 'e4');
    expect(c.state.screen).toBe('q4');
    expect(button(c.msg, 'options.payment', '25000').selected).toBe(true);
    c.press('options.payment', '110000');
    expect(c.state.screen).toBe('summary');
    c.press('summary.edit', 'e2');
    c.press('options.ownership.PRIVATE');
    expect(c.state.screen).toBe('q2why');
    c.press('options.reason.COST');
    expect(c.state.screen).toBe('summary');
    c.press('summary.edit', 'e1');
    c.press('kindergarten.short', '101');
    c.press('q1.done');
    expect(c.state.screen).toBe('summary');
    c.press('summary.confirmExtend');
    expect(c.world.submitted[0]).toMatchObject({ maxPayment: 110000, ownership: 'PRIVATE', ownershipReason: 'COST' });
    expect(c.world.submitted[0]!.kindergartens.map((k) => k.id)).toEqual([100, 101]);
  });

  it('Back from an edited question returns to the summary without changing it', () => {
    const c = linkedChat();
    fillQuestionnaire(c);
    c.press('summary.edit', 'e3');
    c.press('common.back');
    expect(c.state.screen).toBe('summary');
    expect(c.state.draft.language).toBe('KK');
    expect(c.state.editing).toBe(false);
  });

  it('needs 1 to 3 kindergartens', () => {
    const c = linkedChat();
    c.send({ type: 'command', name: 'extend' });
    const r = c.press('common.done');
    expect(keys(r)).toContain('q1.min');
    expect(c.state.screen).toBe('q1');
    for (const id of ['100', '101', '102']) c.press('kindergarten.short', id);
    const fourth = c.press('kindergarten.short', '103');
    expect(keys(fourth)).toContain('q1.max');
    expect(c.state.draft.kindergartens.map((k) => k.id)).toEqual([100, 101, 102]);
    c.press('kindergarten.short', '101');
    expect(c.state.draft.kindergartens.map((k) => k.id)).toEqual([100, 102]);
  });

  it('toggles edit the message in place and a double press changes nothing twice', () => {
    const c = linkedChat();
    c.send({ type: 'command', name: 'extend' });
    const q1 = c.msg;
    const pressOn = press(q1, 'kindergarten.short', '104');
    const first = c.send(pressOn);
    expect(lastMessage(first).mode).toBe('edit');
    c.send(pressOn);
    expect(c.state.draft.kindergartens.map((k) => k.id)).toEqual([104]);
    expect(button(c.msg, 'kindergarten.short', '104').selected).toBe(true);
  });

  it('pages the kindergarten list and searches by typed number or name', () => {
    const c = linkedChat();
    c.send({ type: 'command', name: 'extend' });
    expect(c.msg.paging).toEqual({ page: 0, pages: 3 });
    c.press('common.next');
    expect(c.msg.paging).toEqual({ page: 1, pages: 3 });
    expect(c.msg.mode).toBe('edit');
    expect(c.msg.buttons[0]!.text.params).toMatchObject({ number: 9 });
    c.text('17');
    expect(c.msg.buttons.filter((b) => b.role === 'option').map((b) => b.text.params!.number)).toEqual([17]);
    expect(c.msg.body.some((t) => t.key === 'q1.searchResults')).toBe(true);
    c.text('нет такого');
    expect(c.msg.body.some((t) => t.key === 'q1.nothingFound')).toBe(true);
    c.press('q1.clearSearch');
    expect(c.state.kg.query).toBeNull();
  });

  it('asks for a location and sorts by it', () => {
    const c = linkedChat();
    c.send({ type: 'command', name: 'extend' });
    c.press('q1.nearMe');
    expect(c.msg.request).toBe('location');
    const r = c.send({ type: 'location', point: { lat: 53.28, lon: 69.39 } });
    expect(r.effects).toContainEqual(expect.objectContaining({ type: 'searchKindergartens', near: { lat: 53.28, lon: 69.39 }, page: 0 }));
    expect(c.state.screen).toBe('q1');
  });

  it('refuses to tick a kindergarten that was never shown (forged id)', () => {
    const c = linkedChat();
    c.send({ type: 'command', name: 'extend' });
    const r = c.send({ type: 'action', seq: c.state.seq, action: { type: 'toggle', value: '119', on: true } });
    expect(keys(r)).toContain('common.stale');
    expect(c.state.draft.kindergartens).toEqual([]);
  });

  it('takes typed numbers on multi-select questions and asks for the Other text', () => {
    const c = linkedChat();
    fillQuestionnaire(c);
    c.press('summary.edit', 'e5');
    // Chess and drawing are ticked. Typed numbers choose exactly those options: 1 (football),
    // 4 (chess), and 13 (other) asks for its text; drawing is no longer chosen.
    c.text('1, 4 13');
    expect(c.state.screen).toBe('q5other');
    expect(c.state.draft.sections).toEqual(['football', 'chess']);
    let r = c.text('   ');
    expect(keys(r)).toContain('common.useButtons');
    r = c.text('x'.repeat(201));
    expect(keys(r)).toContain('questionnaire.otherInvalid');
    expect(c.state.screen).toBe('q5other');
    c.text('  плавание   🏊  ');
    expect(c.state.screen).toBe('q5');
    expect(c.state.draft.sectionsOther).toBe('плавание 🏊');
    expect(c.state.draft.sections).toContain('other');
    r = c.text('0, 99');
    expect(keys(r)).toContain('questionnaire.badNumbers');
    c.press('common.done');
    expect(c.state.screen).toBe('summary');
    c.press('summary.confirmExtend');
    expect(c.world.submitted[0]).toMatchObject({ sectionsOther: 'плавание 🏊' });
    expect(c.world.submitted[0]!.sections).toEqual(expect.arrayContaining(['chess', 'football', 'other']));
    expect(c.world.submitted[0]!.sections).not.toContain('drawing');
  });

  it('unticking Other drops its text', () => {
    const c = linkedChat();
    fillQuestionnaire(c);
    c.press('summary.edit', 'e6');
    c.press('options.digital.other');
    c.text('Telegram-бот садика');
    expect(c.state.draft.digitalOther).toBe('Telegram-бот садика');
    c.press('options.digital.other');
    expect(c.state.draft.digitalOther).toBeNull();
    expect(c.state.draft.digital).toEqual(['cashless']);
  });

  it('keeps the answers of an unfinished questionnaire across a reload and resumes there', () => {
    const world = new World();
    const c = linkedChat(world);
    c.send({ type: 'command', name: 'extend' });
    c.press('kindergarten.short', '100');
    c.press('q1.done');
    c.press('options.ownership.ANY');
    c.press('options.language.RU');
    // Days later, another process: the state comes back from JSON.
    const c2 = chat(world);
    c2.state = JSON.parse(JSON.stringify(c.state));
    c2.send({ type: 'start' });
    expect(c2.state.screen).toBe('menu');
    const r = c2.send({ type: 'command', name: 'extend' });
    expect(keys(r)).toContain('questionnaire.resume');
    expect(c2.state.screen).toBe('q4');
    expect(c2.state.draft.language).toBe('RU');
  });

  it('offers last answers for a one-tap confirm when the questionnaire was filled before', () => {
    const world = new World();
    const c = linkedChat(world);
    fillQuestionnaire(c);
    c.press('summary.confirmExtend');
    world.needExtension = 1;
    c.send({ type: 'command', name: 'extend' });
    expect(c.state.screen).toBe('summary');
    expect(button(c.msg, 'summary.confirmExtend').text.params).toEqual({ count: 1 });
  });

  it('says so when no season is open', () => {
    const world = new World();
    world.season = null;
    const c = linkedChat(world);
    const r = c.send({ type: 'command', name: 'extend' });
    expect(keys(r)).toContain('questionnaire.noSeason');
    expect(c.state.screen).toBe('menu');
  });
});

describe('bad input keeps the conversation where it was', () => {
  it('a press on an older screen gets a notice and the current screen again', () => {
    const c = linkedChat();
    c.send({ type: 'command', name: 'extend' });
    c.press('kindergarten.short', '100');
    const q1 = c.msg;
    c.press('q1.done');
    const before = c.state;
    const r = c.send(press(q1, 'kindergarten.short', '101'));
    expect(r.outputs[0]).toEqual({ kind: 'notice', text: { key: 'common.stale' } });
    expect(c.state.draft).toEqual(before.draft);
    expect(c.state.screen).toBe('q2');
    expect(lastMessage(r).body.map((t) => t.key)).toContain('q2.prompt');
  });

  it('free text where buttons are expected gets a hint and the question again', () => {
    const c = linkedChat();
    fillQuestionnaire(c);
    c.press('summary.edit', 'e3');
    const r = c.text('казахский пожалуйста');
    expect(keys(r)[0]).toBe('common.useButtons');
    expect(c.state.screen).toBe('q3');
    c.text('2');
    expect(c.state.draft.language).toBe('RU');
  });

  it('answers unknown commands, undecodable presses and stickers without moving', () => {
    const c = linkedChat();
    c.send({ type: 'command', name: 'extend' });
    const before = c.state;
    expect(keys(c.text('/launch'))).toContain('common.unknownCommand');
    expect(keys(c.send({ type: 'badAction' }))).toContain('common.stale');
    expect(keys(c.send({ type: 'unsupported' }))).toContain('common.useButtons');
    expect(c.state.draft).toEqual(before.draft);
    expect(c.state.screen).toBe('q1');
  });

  it('typed commands work with a bot suffix', () => {
    const c = linkedChat();
    c.text('/help@kindergarten_queue_bot');
    expect(c.state.screen).toBe('help');
    expect(c.msg.body.map((t) => t.key)).toEqual(['help.purge', 'help.deadline', 'help.portal']);
  });

  it('forged choices on single-choice questions are refused', () => {
    const c = linkedChat();
    fillQuestionnaire(c);
    c.press('summary.edit', 'e4');
    const r = c.send({ type: 'action', seq: c.state.seq, action: { type: 'choose', value: '12345' } });
    expect(keys(r)).toContain('common.stale');
    expect(c.state.draft.maxPayment).toBe(25000);
  });
});

describe('restore', () => {
  it("requires this season's questionnaire, then confirms and restores", () => {
    const c = linkedChat();
    c.send({ type: 'command', name: 'restore' });
    expect(c.state.screen).toBe('stopList');
    c.press('restore.option');
    expect(c.state.screen).toBe('restoreConfirm');
    const r = c.press('restore.confirmButton');
    expect(keys(r)).toContain('restore.needsQuestionnaire');
    expect(c.state.screen).toBe('q1');
    expect(c.state.restore).toEqual({ id: 77, queueNumber: 5005 });
    c.press('kindergarten.short', '100');
    c.press('q1.done');
    c.press('options.ownership.ANY');
    c.press('options.language.KK');
    c.press('options.payment', '10000');
    c.press('common.doneNone');
    c.press('common.doneNone');
    c.press('summary.confirmExtend');
    expect(c.state.screen).toBe('restoreConfirm');
    const done = c.press('restore.confirmButton');
    expect(c.world.restored).toEqual([77]);
    expect(keys(done)).toContain('restore.done');
    expect(c.state.screen).toBe('menu');
    expect(c.state.restore).toBeNull();
  });

  it('a forged application id comes back as not found', () => {
    const world = new World();
    const c = linkedChat(world);
    world.stored = answersSchema.parse({
      kindergartens: [{ id: 100, number: 1, nameKk: 'a', nameRu: 'a' }],
      ownership: 'ANY',
      ownershipReason: null,
      language: 'KK',
      maxPayment: 10000,
      sections: [],
      sectionsOther: null,
      digital: [],
      digitalOther: null,
    });
    c.send({ type: 'command', name: 'restore' });
    const seq = c.state.seq;
    // Refused at the first step, as a missing one, and the forged number never echoed.
    for (const value of ['a999_1159', 'a999']) {
      const r = c.send({ type: 'action', seq, action: { type: 'choose', value } });
      expect(r.outputs.map((o) => (o.kind === 'notice' ? o.text.key : o.mode))).toEqual(['restore.notFound', 'repeat']);
      expect(JSON.stringify(r.outputs)).not.toContain('1159');
      expect(c.state.screen).toBe('stopList');
      expect(c.state.restore).toBeNull();
    }
    expect(world.restored).toEqual([]);
  });
});

describe('language switch', () => {
  it('switches the language from the menu and keeps the link', () => {
    const c = linkedChat(new World(), 'ru');
    c.send({ type: 'command', name: 'language' });
    c.press('language.kk');
    expect(c.state.locale).toBe('kk');
    expect(c.state.linked).toBe(true);
    expect(c.state.screen).toBe('menu');
    expect(c.world.locales.at(-1)).toBe('kk');
  });
});

describe('a chat whose link is gone', () => {
  it('starts identification again', () => {
    const world = new World();
    const c = linkedChat(world);
    const original = world.resolve;
    world.resolve = (e, s) => (e.type === 'loadApplications' ? { type: 'notLinked' } : original(e, s));
    const r = c.send({ type: 'command', name: 'applications' });
    expect(keys(r)).toContain('identify.relink');
    expect(c.state.linked).toBe(false);
    expect(c.state.screen).toBe('contact');
  });
});
