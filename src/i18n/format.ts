/** Dates are shown in Kazakhstan time whatever the server's zone; the numeric form reads the same in kk and ru. */
const DATE = new Intl.DateTimeFormat('ru-RU', { timeZone: 'Asia/Almaty', day: '2-digit', month: '2-digit', year: 'numeric' });
const TIME = new Intl.DateTimeFormat('ru-RU', { timeZone: 'Asia/Almaty', hour: '2-digit', minute: '2-digit', hour12: false });

/** "14:05", Asia/Almaty. */
export function formatTime(at: Date): string {
  return TIME.format(at);
}

export function formatDate(iso: string, withTime: boolean): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return withTime ? `${DATE.format(d)} ${TIME.format(d)}` : DATE.format(d);
}

/** Number formats per language and fraction digits, made once (Intl formats are costly to build). */
const NUMBER_FORMATS = new Map<string, Intl.NumberFormat>();

function numberFormat(locale: 'kk' | 'ru', digits: number): Intl.NumberFormat {
  const id = `${locale}:${digits}`;
  let f = NUMBER_FORMATS.get(id);
  if (!f) NUMBER_FORMATS.set(id, (f = new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits })));
  return f;
}

/**
 * 10000 → "10 000": the language's grouping (a no-break space in kk and ru keeps the amount on
 * one line), whole numbers.
 */
export function formatAmount(n: number, locale: 'kk' | 'ru' = 'ru'): string {
  return numberFormat(locale, 0).format(Math.round(n));
}

/** 0.4 → "0,4": the language's decimal sign (a comma in kk and ru). */
export function formatDecimal(n: number, digits: number, locale: 'kk' | 'ru'): string {
  return numberFormat(locale, digits).format(n);
}
