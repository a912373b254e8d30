/**
 * Field parsers shared by the three registry files. Each turns the text of a cell into the stored
 * value or a reason in the operator's words (Russian, then English). Enumerations accept the
 * spellings people type in Russian, Kazakh and English.
 */
import { z } from 'zod';
import { parseIin, type IinError } from '../domain/iin.ts';
import { normalizePhone } from '../domain/phone.ts';
import { fromAlmaty } from '../domain/almaty-time.ts';
import { memo } from './memo.ts';

const IIN_REASONS: Record<IinError, string> = {
  format: 'ИИН должен состоять из 12 цифр / IIN must be 12 digits',
  century: 'неверная 7-я цифра ИИН (век и пол) / wrong 7th IIN digit (century and sex)',
  birthDate: 'в ИИН несуществующая дата рождения / IIN holds an impossible birth date',
  checkDigit: 'неверная контрольная цифра ИИН / wrong IIN check digit',
  unassignable: 'такой ИИН не выдаётся / such an IIN is never issued',
};

/** Lower-case, ё→е, single spaces, no trailing dot: "Гос." and " ГОС " read alike. */
export function normalizeWord(text: string): string {
  return text.trim().toLowerCase().replace(/ё/g, 'е').replace(/\s+/g, ' ').replace(/\.$/, '');
}

/** Trimmed, inner whitespace collapsed: how every text cell is kept. */
export const tidyText = (s: string) => s.trim().replace(/\s+/g, ' ');

export const text = (max: number) =>
  z
    .string()
    .transform(tidyText)
    .pipe(z.string().min(1, 'пусто / empty').max(max, `длиннее ${max} символов / longer than ${max} characters`));

export const optionalText = (max: number) =>
  z
    .string()
    .transform(tidyText)
    .pipe(z.string().max(max, `длиннее ${max} символов / longer than ${max} characters`))
    .transform((s) => (s === '' ? null : s));

export const iin = z.string().transform((s, ctx) => {
  const r = parseIin(s.trim());
  if (r.ok) return r.iin;
  ctx.addIssue({ code: 'custom', message: IIN_REASONS[r.error] });
  return z.NEVER;
});

export const phone = z.string().transform((s, ctx) => {
  const p = normalizePhone(s.trim());
  if (p) return p;
  ctx.addIssue({ code: 'custom', message: 'телефон не казахстанский номер (+7 7XX XXX XX XX) / not a Kazakhstan phone number' });
  return z.NEVER;
});

/** A whole number 1–max as people type it ("104 233"), or null. */
export function readPositiveInt(s: string, max = 2_147_483_647): number | null {
  const t = s.trim().replace(/[\s\u00a0]/g, '');
  return /^\d{1,10}$/.test(t) && Number(t) >= 1 && Number(t) <= max ? Number(t) : null;
}

export const positiveInt = (max = 2_147_483_647) =>
  z.string().transform((s, ctx) => {
    const n = readPositiveInt(s, max);
    if (n !== null) return n;
    ctx.addIssue({ code: 'custom', message: `нужно целое число от 1 до ${max} / expected a whole number 1–${max}` });
    return z.NEVER;
  });

/** A decimal with a point or a comma (spreadsheets in ru locale write 53,28). */
export const decimal = (min: number, max: number) =>
  z.string().transform((s, ctx) => {
    const t = s.trim().replace(',', '.');
    const n = Number(t);
    if (t !== '' && /^-?\d+(\.\d+)?$/.test(t) && n >= min && n <= max) return n;
    ctx.addIssue({ code: 'custom', message: `нужно число от ${min} до ${max} / expected a number ${min}–${max}` });
    return z.NEVER;
  });

const DATE = /^(?:(\d{1,2})\.(\d{1,2})\.(\d{4})|(\d{4})-(\d{2})-(\d{2}))(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;

export interface CalendarDate {
  year: number;
  month: number;
  day: number;
  time: { hour: number; minute: number; second: number } | null;
}

/** dd.mm.yyyy or yyyy-mm-dd, optionally followed by HH:MM[:SS]. */
export function parseCalendarDate(input: string): CalendarDate | null {
  const m = DATE.exec(input.trim());
  if (!m) return null;
  const year = Number(m[3] ?? m[4]);
  const month = Number(m[2] ?? m[5]);
  const day = Number(m[1] ?? m[6]);
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (year < 1900 || year > 2100 || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) return null;
  if (m[7] === undefined) return { year, month, day, time: null };
  const time = { hour: Number(m[7]), minute: Number(m[8]), second: Number(m[9] ?? 0) };
  if (time.hour > 23 || time.minute > 59 || time.second > 59) return null;
  return { year, month, day, time };
}

const BAD_DATE = 'неверная дата: нужно ДД.ММ.ГГГГ или ГГГГ-ММ-ДД / bad date: expected dd.mm.yyyy or yyyy-mm-dd';

/** A day (with an optional time) in Almaty: `endOfDay` puts a bare date at 23:59:59, else at 00:00. */
const almatyDayStart = memo((s: string) => almatyInstant(s, false));
const almatyDayEnd = memo((s: string) => almatyInstant(s, true));

/** The instant a date cell means (see almatyDate); null when it is no date. Shared: never mutate it. */
export function readAlmatyDate(s: string, endOfDay: boolean): Date | null {
  return endOfDay ? almatyDayEnd(s) : almatyDayStart(s);
}

function almatyInstant(s: string, endOfDay: boolean): Date | null {
  const d = parseCalendarDate(s);
  if (!d) return null;
  const t = d.time ?? (endOfDay ? { hour: 23, minute: 59, second: 59 } : { hour: 0, minute: 0, second: 0 });
  return fromAlmaty(d, t.hour * 60 + t.minute, t.second);
}

export const almatyDate = (endOfDay: boolean) =>
  z.string().transform((s, ctx) => {
    const d = readAlmatyDate(s, endOfDay);
    if (d) return d;
    ctx.addIssue({ code: 'custom', message: BAD_DATE });
    return z.NEVER;
  });

/** A plain calendar day (a birth date), stored as UTC midnight. */
export const calendarDay = z.string().transform((s, ctx) => {
  const d = parseCalendarDate(s);
  if (!d || d.time) {
    ctx.addIssue({ code: 'custom', message: BAD_DATE });
    return z.NEVER;
  }
  return new Date(Date.UTC(d.year, d.month - 1, d.day));
});

/** An enumeration read through a table of spellings; `allowed` names the choices in the reason. */
export function spelledEnum<T extends string>(spellings: Record<T, readonly string[]>, allowed: string) {
  const lookup = new Map<string, T>();
  for (const [value, words] of Object.entries(spellings) as [T, readonly string[]][]) {
    lookup.set(normalizeWord(value), value);
    for (const w of words) lookup.set(normalizeWord(w), value);
  }
  const read = memo((s: string): T | undefined => lookup.get(normalizeWord(s)), 1_000);
  const schema = z.string().transform((s, ctx) => {
    const v = read(s);
    if (v !== undefined) return v;
    ctx.addIssue({ code: 'custom', message: `неизвестное значение «${s.trim().slice(0, 40)}»; допустимо: ${allowed} / unknown value; allowed: ${allowed}` });
    return z.NEVER;
  });
  return { read, schema };
}

export const OWNERSHIP = spelledEnum(
  {
    STATE: ['state', 'public', 'гос', 'государственный', 'государственная', 'мемлекеттік'],
    PRIVATE: ['private', 'частный', 'частная', 'жеке', 'чаcтный'],
  },
  'STATE/гос/мемлекеттік, PRIVATE/частный/жеке',
);

export const LANGUAGE = spelledEnum(
  {
    KK: ['kz', 'kaz', 'kazakh', 'каз', 'казахский', 'казахском', 'қаз', 'қазақ', 'қазақша', 'қазақ тілі'],
    RU: ['rus', 'russian', 'рус', 'русский', 'русском', 'орыс', 'орысша', 'орыс тілі'],
  },
  'KK/каз/қазақ, RU/рус/орыс',
);

export const LOCALE = spelledEnum(
  {
    kk: ['kz', 'kaz', 'kazakh', 'каз', 'казахский', 'қаз', 'қазақ', 'қазақша'],
    ru: ['rus', 'russian', 'рус', 'русский', 'орыс', 'орысша'],
  },
  'kk, ru',
);

export const CATEGORY = spelledEnum(
  {
    GENERAL: ['general', 'общая', 'общий', 'обычная', 'жалпы'],
    PRIVILEGED: ['privileged', 'льготная', 'льготный', 'льгота', 'жеңілдікті', 'жеңілдік'],
    CORRECTIONAL: ['correctional', 'коррекционная', 'коррекционный', 'түзету', 'түзеу'],
  },
  'GENERAL/общая/жалпы, PRIVILEGED/льготная/жеңілдікті, CORRECTIONAL/коррекционная/түзету',
);

export const STATUS = spelledEnum(
  {
    ACTIVE: ['active', 'активна', 'активное', 'активная', 'в очереди', 'действующее', 'белсенді', 'кезекте'],
    STOP_LISTED: ['stop-listed', 'stoplisted', 'stop list', 'stop-list', 'стоп-лист', 'стоп лист', 'в стоп-листе', 'стоп-парақ'],
    REFERRED: ['referred', 'направлено', 'направлен', 'выдано направление', 'жолдама берілді', 'жолдама'],
    ENROLLED: ['enrolled', 'зачислен', 'зачислено', 'зачислена', 'қабылданды'],
    WITHDRAWN: ['withdrawn', 'отозвано', 'снято', 'отозвана', 'кері қайтарылды', 'алынып тасталды'],
  },
  'ACTIVE/активна, STOP_LISTED/стоп-лист, REFERRED/направлено, ENROLLED/зачислен, WITHDRAWN/отозвано',
);

export const YES_NO = spelledEnum({ yes: ['1', 'true', 'да', 'иә', 'y', '+'], no: ['0', 'false', 'нет', 'жоқ', 'n', '-', ''] }, 'да/нет, иә/жоқ, yes/no, 1/0');

/** Separators inside one cell holding a list ("KK, RU", "12;45;7", "12 45 7"). */
const LIST_SEPARATORS = /[,;/|+\s]+/;

export function splitList(cell: string): string[] {
  return cell
    .split(LIST_SEPARATORS)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export const languages = z.string().transform((s, ctx) => {
  const items = splitList(s);
  const out: ('KK' | 'RU')[] = [];
  for (const item of items) {
    const v = LANGUAGE.read(item);
    if (v === undefined) {
      ctx.addIssue({ code: 'custom', message: `неизвестный язык «${item.slice(0, 40)}»; допустимо: KK/каз/қазақ, RU/рус/орыс / unknown language` });
      return z.NEVER;
    }
    if (!out.includes(v)) out.push(v);
  }
  if (out.length === 0) {
    ctx.addIssue({ code: 'custom', message: 'не указан язык обучения / no language given' });
    return z.NEVER;
  }
  return out.sort();
});

/** An optional cell: empty reads as `fallback`, anything else must pass `schema` (its reason kept). */
export function orDefault<T>(schema: z.ZodType<T, string>, fallback: T) {
  return z.string().transform((s, ctx): T => {
    if (s.trim() === '') return fallback;
    const r = schema.safeParse(s);
    if (r.success) return r.data;
    for (const issue of r.error.issues) ctx.addIssue({ code: 'custom', message: issue.message });
    return z.NEVER;
  });
}
