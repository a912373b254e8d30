import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Output, Param, Text } from '../../src/conversation/io.ts';
import { flattenKeys, loadAllLocales } from '../../src/i18n/resources.ts';
import { createTranslator, type Translator } from '../../src/i18n/translator.ts';
import { DIGITAL_SERVICES, SECTIONS } from '../../src/questionnaire/catalog.ts';
import { chat, fillQuestionnaire, linkedChat } from '../conversation/scenarios.ts';
import { OTHER_IIN, World } from '../conversation/world.ts';

const PLURAL = /_(zero|one|two|few|many|other)$/;
const PLURAL_FORMS = { ru: ['one', 'few', 'many', 'other'], kk: ['one', 'other'] } as const;

const resources = loadAllLocales();
const baseKeys = (keys: string[]) => new Set(keys.map((k) => k.replace(PLURAL, '')));

let translator: Translator;
beforeAll(async () => {
  translator = await createTranslator({ portal: 'https://egov.kz', supportPhone: '1414' });
});

describe('locales', () => {
  it('kk and ru have the same texts', () => {
    const kk = baseKeys(flattenKeys(resources.kk));
    const ru = baseKeys(flattenKeys(resources.ru));
    expect([...kk].filter((k) => !ru.has(k))).toEqual([]);
    expect([...ru].filter((k) => !kk.has(k))).toEqual([]);
  });

  it('every plural text has all of its language\'s forms (ru one/few/many/other, kk one/other)', () => {
    for (const locale of ['kk', 'ru'] as const) {
      const keys = flattenKeys(resources[locale]);
      const plurals = new Set(keys.filter((k) => PLURAL.test(k)).map((k) => k.replace(PLURAL, '')));
      for (const base of plurals) {
        for (const form of PLURAL_FORMS[locale]) expect(keys, `${locale}: ${base}_${form}`).toContain(`${base}_${form}`);
      }
      expect(Intl.PluralRules.supportedLocalesOf([locale])).toEqual([locale]);
    }
  });

  it('renders Russian plural forms by count', () => {
    const r = (count: number) => translator.render('ru', { key: 'applications.title', params: { count } });
    expect(r(1)).toBe('У вас 1 заявление:');
    expect(r(3)).toBe('У вас 3 заявления:');
    expect(r(5)).toBe('У вас 5 заявлений:');
    expect(r(21)).toBe('У вас 21 заявление:');
    expect(translator.render('kk', { key: 'applications.title', params: { count: 5 } })).toBe('Сізде 5 өтініш бар:');
  });

  it('a text rendered again with other parameters, or past the kept texts, is rendered afresh', () => {
    const r = (locale: 'kk' | 'ru', count: number) => translator.render(locale, { key: 'applications.title', params: { count } });
    expect([r('ru', 1), r('ru', 5), r('ru', 1), r('kk', 1)]).toEqual(['У вас 1 заявление:', 'У вас 5 заявлений:', 'У вас 1 заявление:', 'Сізде 1 өтініш бар:']);
    const noun = { one: 'заявление', few: 'заявления', many: 'заявлений' } as Record<string, string>;
    const plural = new Intl.PluralRules('ru');
    for (let n = 100; n < 12_100; n++) expect(r('ru', n)).toBe(`У вас ${n} ${noun[plural.select(n)]}:`);
    expect(r('ru', 5)).toBe('У вас 5 заявлений:');
  });

  it('renders dates in Asia/Almaty time, amounts grouped, nested texts and lists', () => {
    const deadline = { date: '2026-12-25T18:59:59.000Z', withTime: true };
    expect(translator.render('ru', { key: 'help.deadline', params: { deadline } })).toBe(
      'Продлить заявления нужно до 25.12.2026 23:59 (время Астаны).',
    );
    expect(translator.render('kk', { key: 'options.payment', params: { amount: { amount: 110000 } } })).toBe('110\u00a0000 ₸ дейін');
    const list: Param = { list: [{ key: 'options.sections.chess' }, { key: 'options.sections.karate' }] };
    expect(translator.render('ru', { key: 'summary.q5', params: { value: list } })).toBe('5. Секции: Шахматы, Каратэ');
    expect(translator.render('ru', { key: 'help.portal' })).toContain('1414');
  });

  it('no text is empty or left with an unfilled placeholder name that is not a parameter', () => {
    for (const locale of ['kk', 'ru'] as const) {
      for (const key of flattenKeys(resources[locale])) {
        expect(translator.t(locale, key.replace(PLURAL, ''), { count: 2 }).trim().length, `${locale}:${key}`).toBeGreaterThan(0);
      }
    }
  });
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    if (f === 'generated') return [];
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Every text an output carries, nested ones included. */
function textsOf(outputs: Output[]): Text[] {
  const found: Text[] = [];
  const visit = (p: Param | Text) => {
    if (typeof p !== 'object') return;
    if ('key' in p) {
      found.push(p);
      Object.values(p.params ?? {}).forEach(visit);
    } else if ('list' in p) p.list.forEach(visit);
  };
  for (const o of outputs) {
    if (o.kind === 'notice') visit(o.text);
    else {
      o.body.forEach(visit);
      o.buttons.forEach((b) => {
        visit(b.text);
        if (b.description) visit(b.description);
      });
    }
  }
  return found;
}

describe('every text the conversation uses exists in both languages', () => {
  it('over scripted conversations through every screen', () => {
    const outputs: Output[] = [];
    const c = linkedChat(new World(), 'kk');
    fillQuestionnaire(c);
    c.press('summary.edit', 'e5');
    c.text('13');
    c.text('x'.repeat(300));
    c.text('шахмат клубы');
    c.text('0');
    c.press('common.done');
    c.press('summary.confirmExtend');
    for (const name of ['applications', 'restore', 'questionnaire', 'help', 'language', 'menu', 'cancel'] as const) c.send({ type: 'command', name });
    c.text('/nope');
    c.send({ type: 'unsupported' });
    c.send({ type: 'badAction' });
    c.send({ type: 'command', name: 'restore' });
    c.press('restore.option');
    c.press('restore.confirmButton');
    c.send({ type: 'command', name: 'extend' });
    c.press('summary.edit', 'e1');
    c.press('q1.nearMe');
    c.send({ type: 'location', point: { lat: 53.3, lon: 69.4 } });
    c.text('Балапан');
    c.press('q1.clearSearch');
    outputs.push(...c.log);

    const locked = chat();
    locked.send({ type: 'start', languageHint: 'ru' });
    locked.press('language.ru');
    locked.send({ type: 'contact', phone: '+77010000001', own: false });
    locked.send({ type: 'contact', phone: '+77029999999', own: true });
    locked.send({ type: 'contact', phone: '+77010000001', own: true });
    for (const iin of ['1', '901331300012', '900101300010', OTHER_IIN, OTHER_IIN, OTHER_IIN, OTHER_IIN, OTHER_IIN]) locked.text(iin);
    locked.send({ type: 'command', name: 'help' });
    outputs.push(...locked.log);

    const texts = textsOf(outputs);
    expect(texts.length).toBeGreaterThan(100);
    const missing = texts.flatMap((t) => (['kk', 'ru'] as const).filter((l) => !translator.has(l, t.key)).map((l) => `${l}:${t.key}`));
    expect([...new Set(missing)]).toEqual([]);
  });

  it('over every key written literally in the code, and every option of the catalog', () => {
    const files = ['src', 'bots'].flatMap((d) => sourceFiles(path.resolve(d)));
    const literal = /\b(?:text|notice|msg|retry|retryEdit|commandButton|t)\((?:[a-z]+,\s*)?'([a-z][A-Za-z0-9]*(?:\.[A-Za-z0-9]+)+)'/g;
    const keys = new Set<string>();
    for (const f of files) for (const m of readFileSync(f, 'utf8').matchAll(literal)) keys.add(m[1]!);
    for (const s of SECTIONS) keys.add(`options.sections.${s}`);
    for (const d of DIGITAL_SERVICES) keys.add(`options.digital.${d}`);
    for (const e of ['format', 'birthDate', 'century', 'checkDigit', 'unassignable']) keys.add(`identify.iinInvalid.${e}`);
    for (const s of ['REFERRED', 'ENROLLED', 'WITHDRAWN', 'STOP_LISTED', 'ACTIVE']) keys.add(`applications.status.${s}`);
    for (const c of ['GENERAL', 'PRIVILEGED', 'CORRECTIONAL']) keys.add(`applications.category.${c}`);
    for (const c of ['TELEGRAM', 'WHATSAPP', 'CONSOLE']) keys.add(`channel.${c}`);
    expect(keys.size).toBeGreaterThan(60);
    const missing = [...keys].flatMap((k) => (['kk', 'ru'] as const).filter((l) => !translator.has(l, k)).map((l) => `${l}:${k}`));
    expect(missing).toEqual([]);
  });
});
