import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Param } from '../../src/conversation/core/io.ts';
import { flattenKeys, loadAllLocales } from '../../src/i18n/resources.ts';
import { createTranslator, type Translator } from '../../src/i18n/translator.ts';
import { DIGITAL_SERVICES, SECTIONS } from '../../src/questionnaire/catalog.ts';

const PLURAL = /_(zero|one|two|few|many|other)$/;
const PLURAL_FORMS = { ru: ['one', 'few', 'many', 'other'], kk: ['one', 'other'] } as const;

const resources = loadAllLocales();
/** WhatsApp's own wording (`wa.`) exists only where a language's text does not fit its limits. */
const baseKeys = (keys: string[]) => new Set(keys.filter((k) => !k.startsWith('wa.')).map((k) => k.replace(PLURAL, '')));

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

  it("every plural text has all of its language's forms (ru one/few/many/other, kk one/other)", () => {
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
    expect(translator.render('ru', { key: 'help.deadline', params: { deadline } })).toBe('Продлить заявления нужно до 25.12.2026 23:59 (время Астаны).');
    expect(translator.render('kk', { key: 'options.payment', params: { amount: { amount: 110000 } } })).toBe('110\u00a0000 ₸ дейін');
    const list: Param = { list: [{ key: 'options.sections.chess' }, { key: 'options.sections.karate' }] };
    expect(translator.render('ru', { key: 'summary.q5', params: { value: list } })).toBe('5. Секции и кружки: Шахматы, Каратэ');
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

// Every screen the conversation produces is rendered and checked in test/i18n/every-screen.test.ts.
describe('every text the code names exists in both languages', () => {
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

describe('the translator', () => {
  it('renders a text in both languages for a chat whose language is not known yet (once when they read the same)', () => {
    expect(translator.t('both', 'common.useButtons')).toBe(`${translator.t('kk', 'common.useButtons')}\n${translator.t('ru', 'common.useButtons')}`);
    expect(translator.t('both', 'language.prompt')).toBe(translator.t('ru', 'language.prompt'));
  });

  it("numbers in the language's notation: a decimal comma, grouped amounts", () => {
    expect(
      translator.render('ru', {
        key: 'kindergarten.detailsWithDistance',
        params: { distance: { decimal: 0.44, digits: 1 }, ownership: 'гос.', languages: 'каз.', demand: 12, capacity: 100 },
      }),
    ).toMatch(/^0,4 км;/);
    expect(translator.render('kk', { key: 'options.payment', params: { amount: { amount: 25000 } } })).toBe('25\u00a0000 ₸ дейін');
  });

  it("WhatsApp's own wording replaces a text, nested ones too, only in the language that has it", () => {
    const wa = translator.variant('wa');
    const numbered = (key: string) => ({ key: 'questionnaire.numbered', params: { n: 10, label: { key } } });
    expect(wa.render('ru', numbered('options.sections.computerGraphics'))).toBe('10. Цифровая графика');
    expect(translator.render('ru', numbered('options.sections.computerGraphics'))).toBe('10. Компьютерная графика');
    // Russian's "Продлённый день" is WhatsApp's only; Kazakh keeps its text, which fits.
    expect(wa.render('kk', numbered('options.sections.extendedDay'))).toBe(`10. ${translator.t('kk', 'options.sections.extendedDay')}`);
    expect(wa.t('both', 'common.doneNone')).toBe(`${wa.t('kk', 'common.doneNone')}\n${wa.t('ru', 'common.doneNone')}`);
  });

  it('tells once about a text that would show a raw key: missing, or plural without its count', async () => {
    const missing: string[] = [];
    const tr = await createTranslator({ portal: 'p', supportPhone: '1', onMissing: (l, k) => missing.push(`${l}:${k}`) });
    tr.render('ru', { key: 'q1.min', params: { min: 1 } });
    tr.render('ru', { key: 'q1.min', params: { min: 2 } });
    tr.render('kk', { key: 'no.such.text' });
    tr.render('ru', { key: 'q1.min', params: { count: 1 } });
    expect(missing).toEqual(['ru:q1.min', 'kk:no.such.text']);
    expect(tr.unresolved('ru', { key: 'summary.q1', params: { value: { key: 'q1.min', params: { min: 1 } } } })).toEqual(['q1.min']);
  });
});
