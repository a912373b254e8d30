import i18next, { type i18n } from 'i18next';
import type { Param, Text } from '../conversation/io.ts';
import type { Locale } from '../conversation/views.ts';
import { formatAmount, formatDate } from './format.ts';
import { loadAllLocales } from './resources.ts';

/** Values every text may use (the portal's contacts): the region's, so configuration. */
export interface TranslatorOptions {
  portal: string;
  supportPhone: string;
}

export interface Translator {
  /** The text in the given language; nested texts, dates (Asia/Almaty) and amounts resolved. */
  render(locale: Locale, t: Text): string;
  has(locale: Locale, key: string): boolean;
  /** A plain key without parameters (button labels of the channels themselves). */
  t(locale: Locale, key: string, params?: Record<string, Param>): string;
}

/** Rendered texts kept per translator (a few hundred kilobytes at most). */
const MAX_KEPT_TEXTS = 5_000;

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

  const value = (locale: Locale, p: Param): string | number => {
    if (typeof p === 'string' || typeof p === 'number') return p;
    if ('key' in p) return render(locale, p);
    if ('date' in p) return formatDate(p.date, p.withTime ?? false);
    if ('amount' in p) return formatAmount(p.amount);
    return p.list.map((item) => value(locale, item)).join(', ');
  };

  // A text renders the same for the same language and parameters, and the conversation shows the
  // same few hundred over and over (button labels, "question 2 of 6", the picker's lines): kept
  // once rendered, since i18next's lookup and interpolation cost more than a map. Bounded: the
  // texts with a parent's own values (names, dates) are the ones that do not repeat.
  const rendered = new Map<string, string>();
  const render = (locale: Locale, t: Text): string => {
    const id = t.params === undefined ? `${locale}:${t.key}` : `${locale}:${t.key}:${JSON.stringify(t.params)}`;
    let text = rendered.get(id);
    if (text === undefined) {
      if (rendered.size >= MAX_KEPT_TEXTS) rendered.clear();
      rendered.set(id, (text = interpolate(locale, t)));
    }
    return text;
  };
  const interpolate = (locale: Locale, t: Text): string => {
    if (t.params === undefined) return instance.t(t.key, { lng: locale });
    const params: Record<string, string | number> = {};
    for (const [k, p] of Object.entries(t.params)) params[k] = value(locale, p);
    return instance.t(t.key, { ...params, lng: locale });
  };

  return {
    render,
    // A plural text exists as its forms (key_one, key_other…), never under the bare key.
    has: (locale, key) => instance.exists(key, { lng: locale }) || instance.exists(`${key}_other`, { lng: locale }),
    t: (locale, key, params) => render(locale, params ? { key, params } : { key }),
  };
}
