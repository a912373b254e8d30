/**
 * applications.csv: queue applications, upserted by queue number. The parent is referenced by IIN
 * (imported before from parents.csv), the child is created or updated from the row, the chosen
 * kindergartens (and a referral's kindergarten) are referenced by number. The merge itself, with
 * the registry events it records, is in ../merge-applications.ts.
 */
import { z } from 'zod';
import { parseIin } from '../../domain/iin.ts';
import type { ColumnSpec } from '../columns.ts';
import {
  almatyDate,
  calendarDay,
  CATEGORY,
  iin,
  optionalText,
  orDefault,
  positiveInt,
  readAlmatyDate,
  readPositiveInt,
  splitList,
  STATUS,
  text,
  tidyText,
} from '../fields.ts';
import { issueReasons, type ImportKind, type RowResult } from '../kind.ts';
import { memo } from '../memo.ts';
import { APPLICATION_STAGING, mergeApplications, refusedApplications, stageApplication } from '../merge-applications.ts';

export const MAX_APPLICATION_CHOICES = 3;

export const APPLICATION_COLUMNS: readonly ColumnSpec[] = [
  {
    key: 'queue_number',
    aliases: ['номер_очереди', 'номер_заявления', 'кезек_нөмірі'],
    required: true,
    ru: 'номер в очереди (уникальный)',
    en: 'queue number (unique)',
    example: '104233',
  },
  {
    key: 'parent_iin',
    aliases: ['иин_заявителя', 'иин_родителя'],
    required: true,
    ru: 'ИИН заявителя; заявитель должен быть уже загружен из parents.csv',
    en: "applicant's IIN; the parent must already be imported from parents.csv",
    example: '900514401017',
  },
  {
    key: 'child_iin',
    aliases: ['иин_ребенка'],
    required: true,
    ru: 'ИИН ребёнка (дата рождения берётся из ИИН)',
    en: "child's IIN (the birth date is taken from it)",
    example: '200315502013',
  },
  { key: 'child_full_name', aliases: ['фио_ребенка'], required: true, ru: 'ФИО ребёнка', en: "child's full name", example: 'Сериков Алихан' },
  {
    key: 'child_birth_date',
    aliases: ['дата_рождения'],
    required: false,
    ru: 'дата рождения ребёнка; если указана, должна совпасть с ИИН',
    en: "child's birth date; when given it must match the IIN",
    example: '15.03.2020',
  },
  {
    key: 'category',
    aliases: ['категория', 'санат'],
    required: false,
    ru: 'GENERAL/общая, PRIVILEGED/льготная, CORRECTIONAL/коррекционная (по умолчанию общая)',
    en: 'GENERAL, PRIVILEGED or CORRECTIONAL (default GENERAL)',
    example: 'общая',
  },
  {
    key: 'registered_at',
    aliases: ['дата_регистрации', 'дата_постановки'],
    required: true,
    ru: 'дата постановки в очередь: ДД.ММ.ГГГГ или ГГГГ-ММ-ДД, можно со временем ЧЧ:ММ (время Астаны)',
    en: 'registration date: dd.mm.yyyy or yyyy-mm-dd, optionally HH:MM (Astana time)',
    example: '10.05.2023 11:20',
  },
  {
    key: 'status',
    aliases: ['статус', 'мәртебе'],
    required: false,
    ru: 'ACTIVE/активна, STOP_LISTED/стоп-лист, REFERRED/направлено, ENROLLED/зачислен, WITHDRAWN/отозвано (по умолчанию активна)',
    en: 'ACTIVE, STOP_LISTED, REFERRED, ENROLLED or WITHDRAWN (default ACTIVE)',
    example: 'активна',
  },
  {
    key: 'valid_until',
    aliases: ['действует_до', 'срок_действия'],
    required: true,
    ru: 'заявление действует до (конец дня по времени Астаны)',
    en: 'valid until (end of that day, Astana time)',
    example: '2025-10-01',
  },
  {
    key: 'choices',
    aliases: ['сады', 'выбранные_сады'],
    required: false,
    ru: `номера выбранных садов по порядку, до ${MAX_APPLICATION_CHOICES}: "12, 45, 7" (в кавычках, если содержит разделитель файла) — или столбцы choice_1…choice_${MAX_APPLICATION_CHOICES}`,
    en: `chosen kindergarten numbers in order, up to ${MAX_APPLICATION_CHOICES}: "12, 45, 7" (quoted when it holds the file's separator) — or columns choice_1…choice_${MAX_APPLICATION_CHOICES}`,
    example: '"12, 45, 7"',
  },
  ...Array.from(
    { length: MAX_APPLICATION_CHOICES },
    (_, i): ColumnSpec => ({
      key: `choice_${i + 1}`,
      aliases: [`сад_${i + 1}`],
      required: false,
      ru: `номер сада — ${i + 1}-й выбор`,
      en: `kindergarten number, choice ${i + 1}`,
      example: ['12', '45', '7'][i] ?? '',
    }),
  ),
  {
    key: 'referral_kindergarten',
    aliases: ['направление_сад', 'сад_направления', 'жолдама_балабақша'],
    required: false,
    ru: 'при статусе «направлено»: номер сада, куда выдано направление',
    en: 'with status REFERRED: the number of the kindergarten the referral is for',
    example: '45',
  },
  {
    key: 'referral_group',
    aliases: ['направление_группа', 'группа', 'топ'],
    required: false,
    ru: 'при статусе «направлено»: группа (необязательно)',
    en: 'with status REFERRED: the group (optional)',
    example: 'Балапан (2–3 года)',
  },
  {
    key: 'referral_accept_by',
    aliases: ['направление_до', 'принять_до', 'жолдама_мерзімі'],
    required: false,
    ru: 'при статусе «направлено»: дата, до которой родитель должен принять направление (конец дня по времени Астаны)',
    en: 'with status REFERRED: the day by which the parent must accept it (end of that day, Astana time)',
    example: '20.08.2025',
  },
];

const base = z.object({
  queue_number: positiveInt(),
  parent_iin: iin,
  child_iin: iin,
  child_full_name: text(300),
  child_birth_date: orDefault<Date | null>(calendarDay, null),
  category: orDefault(CATEGORY.schema, 'GENERAL'),
  registered_at: almatyDate(false),
  status: orDefault(STATUS.schema, 'ACTIVE'),
  valid_until: almatyDate(true),
  referral_group: optionalText(100),
  referral_accept_by: orDefault<Date | null>(almatyDate(true), null),
});

export interface ApplicationRow {
  queueNumber: number;
  parentIin: string;
  childIin: string;
  childFullName: string;
  childBirthDate: Date;
  category: string;
  registeredAt: Date;
  status: string;
  validUntil: Date;
  /** Kindergarten ids in the order of choice. */
  kindergartenIds: number[];
  /** Only with status REFERRED (null otherwise, whatever the file says). */
  referral: { kindergartenId: number | null; group: string | null; acceptBy: Date | null } | null;
}

/** Data only: the import's staging threads each get a copy (src/import/reading/stage-threads.ts). */
export interface ApplicationContext {
  kindergartenIdByNumber: Map<number, number>;
}

/** readChoices of the four choice cells joined by \u0001, each distinct combination read once per context. */
const choiceMemos = new WeakMap<ApplicationContext, (joined: string) => ReturnType<typeof readChoices>>();
function choicesOf(context: ApplicationContext): (joined: string) => ReturnType<typeof readChoices> {
  let choices = choiceMemos.get(context);
  if (!choices) {
    choices = memo((joined: string) => {
      const parts = joined.split('\u0001');
      return readChoices(Object.fromEntries(CHOICE_CELLS.map((c, i) => [c, parts[i] ?? ''])), context.kindergartenIdByNumber);
    });
    choiceMemos.set(context, choices);
  }
  return choices;
}

const CHOICE_CELLS = ['choices', ...Array.from({ length: MAX_APPLICATION_CHOICES }, (_, i) => `choice_${i + 1}`)];

function readChoices(cells: Record<string, string>, known: Map<number, number>): { ids: number[] } | { reasons: string[] } {
  const listed = splitList(cells['choices'] ?? '');
  const columns = Array.from({ length: MAX_APPLICATION_CHOICES }, (_, i) => (cells[`choice_${i + 1}`] ?? '').trim()).filter((s) => s !== '');
  if (listed.length > 0 && columns.length > 0)
    return { reasons: ['choices: укажите сады либо в столбце choices, либо в choice_1…; не в обоих / give choices or choice_1…, not both'] };
  const numbers = listed.length > 0 ? listed : columns;
  if (numbers.length === 0) return { reasons: ['choices: не указан ни один сад / no kindergarten chosen'] };
  if (numbers.length > MAX_APPLICATION_CHOICES)
    return { reasons: [`choices: больше ${MAX_APPLICATION_CHOICES} садов / more than ${MAX_APPLICATION_CHOICES} kindergartens`] };
  const ids: number[] = [];
  const reasons: string[] = [];
  for (const n of numbers) {
    const digits = n.replace(/^[№#]/, '');
    const id = /^\d{1,9}$/.test(digits) ? known.get(Number(digits)) : undefined;
    if (id === undefined) reasons.push(`choices: неизвестный номер сада ${n.slice(0, 20)} / unknown kindergarten number`);
    else if (ids.includes(id)) reasons.push(`choices: сад ${n} указан дважды / kindergarten listed twice`);
    else ids.push(id);
  }
  return reasons.length > 0 ? { reasons } : { ids };
}

function readReferralKindergarten(cell: string, known: Map<number, number>): { id: number | null } | { reason: string } {
  const n = cell.trim();
  if (n === '') return { id: null };
  const digits = n.replace(/^[№#]/, '');
  const id = /^\d{1,9}$/.test(digits) ? known.get(Number(digits)) : undefined;
  return id === undefined ? { reason: `referral_kindergarten: неизвестный номер сада ${n.slice(0, 20)} / unknown kindergarten number` } : { id };
}

export const applicationsKind: ImportKind<ApplicationRow, ApplicationContext> = {
  name: 'applications',
  columns: APPLICATION_COLUMNS,
  keyColumn: 'queue_number',
  async prepare(s) {
    const rows = await s.query<{ id: number; number: number }>('SELECT id, "number" FROM kindergartens');
    return { kindergartenIdByNumber: new Map(rows.map((r) => [r.number, r.id])) };
  },
  parse(cells, context) {
    // The common row (well-formed, nothing to explain) without zod; anything else the full way.
    return fastApplication(cells, context) ?? parseApplication(cells, context);
  },
  stagingKey: 'queue_number',
  keyOf: (r) => r.queueNumber,
  sharedKeyOf: (r) => Number(r.childIin),
  staging: APPLICATION_STAGING,
  stage: stageApplication,
  refusals: refusedApplications,
  merge: mergeApplications,
};

export function parseApplication(cells: Record<string, string>, context: ApplicationContext): RowResult<ApplicationRow> {
  const r = base.safeParse(cells);
  const choices = readChoices(cells, context.kindergartenIdByNumber);
  const referralKg = readReferralKindergarten(cells['referral_kindergarten'] ?? '', context.kindergartenIdByNumber);
  const reasons = r.success ? [] : issueReasons(r.error.issues);
  if ('reasons' in choices) reasons.push(...choices.reasons);
  if ('reason' in referralKg) reasons.push(referralKg.reason);
  if (r.success && r.data.child_iin === r.data.parent_iin) reasons.push('child_iin: совпадает с ИИН заявителя / same as the parent IIN');
  const fromIin = r.success ? parseIin(r.data.child_iin) : null;
  if (r.success && fromIin?.ok && r.data.child_birth_date && r.data.child_birth_date.getTime() !== fromIin.birthDate.getTime())
    reasons.push('child_birth_date: не совпадает с датой в ИИН ребёнка / does not match the child IIN');
  if (!r.success || 'reasons' in choices || 'reason' in referralKg || reasons.length > 0 || !fromIin?.ok) return { ok: false, reasons };
  const d = r.data;
  return {
    ok: true,
    row: {
      queueNumber: d.queue_number,
      parentIin: d.parent_iin,
      childIin: d.child_iin,
      childFullName: d.child_full_name,
      childBirthDate: fromIin.birthDate,
      category: d.category,
      registeredAt: d.registered_at,
      status: d.status,
      validUntil: d.valid_until,
      kindergartenIds: choices.ids,
      referral: d.status === 'REFERRED' ? { kindergartenId: referralKg.id, group: d.referral_group, acceptBy: d.referral_accept_by } : null,
    },
  };
}

/**
 * The common row — every cell well-formed, no birth date to cross-check — read without zod (a
 * million rows: 10 s less). Null whenever anything is unusual: the full parse then gives the
 * result and the reasons. What it accepts it reads exactly as the full parse does.
 */
function fastApplication(cells: Record<string, string>, context: ApplicationContext): RowResult<ApplicationRow> | null {
  const known = context.kindergartenIdByNumber;
  const queueNumber = readPositiveInt(cells['queue_number']!);
  const parent = parseIin(cells['parent_iin']!.trim());
  const child = parseIin(cells['child_iin']!.trim());
  const name = tidyText(cells['child_full_name']!);
  if (queueNumber === null || !parent.ok || !child.ok || parent.iin === child.iin || name === '' || name.length > 300) return null;
  if (cells['child_birth_date'] !== '') return null;
  const category = cells['category'] === '' ? 'GENERAL' : CATEGORY.read(cells['category']!);
  const status = cells['status'] === '' ? 'ACTIVE' : STATUS.read(cells['status']!);
  const registeredAt = readAlmatyDate(cells['registered_at']!, false);
  const validUntil = readAlmatyDate(cells['valid_until']!, true);
  if (!category || !status || !registeredAt || !validUntil) return null;
  let joined = cells['choices']!;
  for (let i = 1; i < CHOICE_CELLS.length; i++) joined += `\u0001${cells[CHOICE_CELLS[i]!]}`;
  const choices = choicesOf(context)(joined);
  if ('reasons' in choices) return null;
  let referral: ApplicationRow['referral'] = null;
  if (status === 'REFERRED') {
    const kg = readReferralKindergarten(cells['referral_kindergarten']!, known);
    const group = tidyText(cells['referral_group']!);
    const acceptBy = cells['referral_accept_by']!.trim() === '' ? null : readAlmatyDate(cells['referral_accept_by']!, true);
    if ('reason' in kg || group.length > 100 || (acceptBy === null && cells['referral_accept_by']!.trim() !== '')) return null;
    referral = { kindergartenId: kg.id, group: group === '' ? null : group, acceptBy };
  } else if (cells['referral_group']!.length > 100 || cells['referral_accept_by']!.trim() !== '' || cells['referral_kindergarten']!.trim() !== '') {
    return null;
  }
  return {
    ok: true,
    row: {
      queueNumber,
      parentIin: parent.iin,
      childIin: child.iin,
      childFullName: name,
      childBirthDate: child.birthDate,
      category,
      registeredAt,
      status,
      validUntil,
      kindergartenIds: choices.ids,
      referral,
    },
  };
}
