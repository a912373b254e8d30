/** Option labels of the report, reused from the questionnaire's own texts (locales/<lng>/questionnaire.json). */
import type { Locale } from '../conversation/core/views.ts';
import { kindergartenText } from '../conversation/core/kindergarten-label.ts';
import type { Translator } from '../i18n/translator.ts';

export interface ReportLabels {
  t(key: string, params?: Record<string, string | number>): string;
  ownership(value: string): string;
  reason(value: string | null): string;
  language(value: string): string;
  payment(amount: number): string;
  section(id: string): string;
  digital(id: string): string;
  kindergarten(number: number, name: string): string;
}

export function reportLabels(translator: Translator, locale: Locale): ReportLabels {
  const option = (group: string, id: string) => {
    const key = `options.${group}.${id}`;
    return translator.has(locale, key) ? translator.t(locale, key) : id;
  };
  return {
    t: (key, params) => translator.t(locale, key, params),
    ownership: (v) => option('ownership', v),
    reason: (v) => (v === null ? translator.t(locale, 'report.ownership.noReason') : option('reason', v)),
    language: (v) => option('language', v),
    payment: (amount) => translator.t(locale, 'options.payment', { amount: { amount } }),
    section: (id) => option('sections', id),
    digital: (id) => option('digital', id),
    kindergarten: (number, name) => translator.render(locale, kindergartenText(number, name)),
  };
}
