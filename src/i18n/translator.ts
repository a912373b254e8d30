import i18next, { type i18n } from 'i18next';
import type { Param, Text } from '../conversation/core/io.ts';
import type { Locale } from '../conversation/core/views.ts';
import { formatAmount, formatDate, formatDecimal } from './format.ts';
import { flattenKeys, loadAllLocales, type ResourceTree } from './resources.ts';

/** Values every text may use (the portal's contacts): the region's, so configuration. */
export interface TranslatorOptions {
  portal: string;
  supportPhone: string;
  /**
   * Called once per text whose key does not resolve in a language (a missing key, a plural text
   * rendered without `count`): the parent would see the raw key. The product logs it.
   */
  onMissing?: (locale: Locale, key: string) => void;
}

/**
 * The language to render in. `both` is for a chat whose language is not known yet (no choice
 * made, no hint from the client): each text in Kazakh, then in Russian.
 */
export type TextLocale = Locale | 'both';

/** A channel's own wording of some texts (short button titles for WhatsApp), under `<name>.` in the locales. */
export type Variant = 'wa';

export interface Translator {
  /** The text in the given language; nested texts, dates (Asia/Almaty) and numbers resolved. */
  render(locale: TextLocale, t: Text): string;
  has(locale: Locale, key: string): boolean;
  /** A plain key without parameters (button labels of the channels themselves). */
  t(locale: TextLocale, key: string, params?: Record<string, Param>): string;
  /**
   * The keys of a text (nested ones included) that do not resolve in a language: missing, or a
   * plural text without `count`, or a context without its form nor a base text.
   */
  unresolved(locale: Locale, t: Text): string[];
  /** The same translator, with a channel's own wording wherever the locales give one. */
  variant(name: Variant): Translator;
}

/** Rendered texts kept per translator (a few hundred kilobytes at most). */
const MAX_KEPT_TEXTS = 5_000;

const LOCALES: Locale[] = ['kk', 'ru'];

export async function createTranslator(opts: TranslatorOptions): Promise<Translator> {
  const resources = loadAllLocales();
  const instance: i18n = i18next.createInstance();
  await instance.init({
    resources: { kk: { translation: resources.kk }, ru: { translation: resources.ru } },
    lng: 'ru',
    fallbackLng: false,
    supportedLngs: ['kk', 'ru'],
    // Channels send plain text; escaping for HTML would show "&quot;" to parents.
    interpolation: { escapeValue: false, defaultVariables: { portal: opts.portal, supportPhone: opts.supportPhone } },
    returnNull: false,
    initAsync: false,
  });
  const reported = new Set<string>();

  const value = (locale: Locale, p: Param): string | number => {
    if (typeof p === 'string' || typeof p === 'number') return p;
    if ('key' in p) return renderIn(locale, p);
    if ('date' in p) return formatDate(p.date, p.withTime ?? false);
    if ('amount' in p) return formatAmount(p.amount, locale);
    if ('decimal' in p) return formatDecimal(p.decimal, p.digits, locale);
    return p.list.map((item) => value(locale, item)).join(', ');
  };

  // A text renders the same for the same language and parameters, and the conversation shows the
  // same few hundred over and over (button labels, "question 2 of 6", the picker's lines): kept
  // once rendered, since i18next's lookup and interpolation cost more than a map. Bounded: the
  // texts with a parent's own values (names, dates) are the ones that do not repeat.
  const rendered = new Map<string, string>();
  const renderIn = (locale: Locale, t: Text): string => {
    const id = t.params === undefined ? `${locale}:${t.key}` : `${locale}:${t.key}:${JSON.stringify(t.params)}`;
    let text = rendered.get(id);
    if (text === undefined) {
      if (rendered.size >= MAX_KEPT_TEXTS) rendered.clear();
      rendered.set(id, (text = interpolate(locale, t)));
    }
    return text;
  };
  const interpolate = (locale: Locale, t: Text): string => {
    const params: Record<string, string | number> = {};
    if (t.params !== undefined) for (const [k, p] of Object.entries(t.params)) params[k] = value(locale, p);
    if (opts.onMissing && !instance.exists(t.key, { ...params, lng: locale })) {
      const id = `${locale}:${t.key}`;
      if (!reported.has(id)) {
        reported.add(id);
        opts.onMissing(locale, t.key);
      }
    }
    return t.params === undefined ? instance.t(t.key, { lng: locale }) : instance.t(t.key, { ...params, lng: locale });
  };
  const render = (locale: TextLocale, t: Text): string => inEach(locale, (l) => renderIn(l, t));

  const unresolved = (locale: Locale, t: Text): string[] => {
    const out: string[] = [];
    const visit = (x: Text) => {
      const params: Record<string, unknown> = {};
      for (const [k, p] of Object.entries(x.params ?? {})) {
        if (typeof p === 'object' && p !== null && 'key' in p) visit(p);
        else if (typeof p === 'object' && p !== null && 'list' in p) visitList(p.list);
        params[k] = typeof p === 'object' ? '…' : p;
      }
      if (!instance.exists(x.key, { ...params, lng: locale })) out.push(x.key);
    };
    const visitList = (list: Param[]) => {
      for (const p of list) {
        if (typeof p === 'object' && 'key' in p) visit(p);
        else if (typeof p === 'object' && 'list' in p) visitList(p.list);
      }
    };
    visit(t);
    return out;
  };

  // A plural text exists as its forms (key_one, key_other…) and a text by context as its contexts
  // (key_STATE…), maybe never under the bare key.
  const known: Record<Locale, Set<string>> = { kk: new Set(), ru: new Set() };
  for (const l of LOCALES) for (const k of flattenKeys(resources[l])) known[l].add(k).add(k.replace(/_[A-Za-z]+$/, ''));

  const base: Translator = {
    render,
    has: (locale, key) => known[locale].has(key),
    t: (locale, key, params) => render(locale, params ? { key, params } : { key }),
    unresolved,
    variant: (name) => variantOf(base, name, variantKeys(resources, name)),
  };
  return base;
}

/** A text in one language, or in Kazakh then Russian for `both` (once when they read the same). */
function inEach(locale: TextLocale, render: (locale: Locale) => string): string {
  if (locale !== 'both') return render(locale);
  const kk = render('kk');
  const ru = render('ru');
  return kk === ru ? kk : `${kk}\n${ru}`;
}

/** Per language, the keys a channel words its own way, without their plural and context endings. */
function variantKeys(resources: Record<Locale, ResourceTree>, name: Variant): Record<Locale, Set<string>> {
  const out = { kk: new Set<string>(), ru: new Set<string>() };
  for (const locale of LOCALES) {
    const tree = resources[locale][name];
    if (typeof tree !== 'object') continue;
    for (const k of flattenKeys(tree)) {
      out[locale].add(k);
      out[locale].add(k.replace(/_[A-Za-z]+$/, ''));
    }
  }
  return out;
}

/** Texts whose key has a variant in the language are rendered from `<name>.<key>` instead, nested texts too. */
function variantOf(base: Translator, name: Variant, keys: Record<Locale, Set<string>>): Translator {
  const swap = (locale: Locale, t: Text): Text => {
    const key = keys[locale].has(t.key) ? `${name}.${t.key}` : t.key;
    if (t.params === undefined) return key === t.key ? t : { key };
    const params: Record<string, Param> = {};
    for (const [k, p] of Object.entries(t.params)) params[k] = swapParam(locale, p);
    return { key, params };
  };
  const swapParam = (locale: Locale, p: Param): Param => {
    if (typeof p !== 'object') return p;
    if ('key' in p) return swap(locale, p);
    if ('list' in p) return { list: p.list.map((x) => swapParam(locale, x)) };
    return p;
  };
  const variant: Translator = {
    render: (locale, t) => inEach(locale, (l) => base.render(l, swap(l, t))),
    has: base.has,
    t: (locale, key, params) => variant.render(locale, params ? { key, params } : { key }),
    unresolved: (locale, t) => base.unresolved(locale, swap(locale, t)),
    variant: (other) => (other === name ? variant : base.variant(other)),
  };
  return variant;
}
