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

  // A text without parameters (button labels, most notices) always renders the same: rendered
  // once per language, since i18next's lookup and interpolation cost more than the map.
  const plain = new Map<string, string>();
  const render = (locale: Locale, t: Text): string => {
    if (t.params === undefined) {
      const id = `${locale}:${t.key}`;
      let text = plain.get(id);
      if (text === undefined) plain.set(id, (text = instance.t(t.key, { lng: locale })));
      return text;
    }
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
