/**
 * applications.csv: queue applications, upserted by queue number. The parent is referenced by IIN
 * (imported before from parents.csv), the child is created or updated from the row, the chosen
 * kindergartens are referenced by number.
 */
import { z } from 'zod';
import { parseIin } from '../../domain/iin.ts';
import type { ColumnSpec } from '../columns.ts';
import { almatyDate, calendarDay, CATEGORY, iin, orDefault, positiveInt, splitList, STATUS, text } from '../fields.ts';
import { issueReasons, type BatchRejection, type ImportKind } from '../kind.ts';

export const MAX_APPLICATION_CHOICES = 3;

export const APPLICATION_COLUMNS: readonly ColumnSpec[] = [
  { key: 'queue_number', aliases: ['номер_очереди', 'номер_заявления', 'кезек_нөмірі'], required: true, ru: 'номер в очереди (уникальный)', en: 'queue number (unique)', example: '104233' },
  { key: 'parent_iin', aliases: ['иин_заявителя', 'иин_родителя'], required: true, ru: 'ИИН заявителя; заявитель должен быть уже загружен из parents.csv', en: "applicant's IIN; the parent must already be imported from parents.csv", example: '900514401017' },
  { key: 'child_iin', aliases: ['иин_ребенка'], required: true, ru: 'ИИН ребёнка (дата рождения берётся из ИИН)', en: "child's IIN (the birth date is taken from it)", example: '200315502013' },
  { key: 'child_full_name', aliases: ['фио_ребенка'], required: true, ru: 'ФИО ребёнка', en: "child's full name", example: 'Сериков Алихан' },
  { key: 'child_birth_date', aliases: ['дата_рождения'], required: false, ru: 'дата рождения ребёнка; если указана, должна совпасть с ИИН', en: "child's birth date; when given it must match the IIN", example: '15.03.2020' },
  { key: 'category', aliases: ['категория', 'санат'], required: false, ru: 'GENERAL/общая, PRIVILEGED/льготная, CORRECTIONAL/коррекционная (по умолчанию общая)', en: 'GENERAL, PRIVILEGED or CORRECTIONAL (default GENERAL)', example: 'общая' },
  { key: 'registered_at', aliases: ['дата_регистрации', 'дата_постановки'], required: true, ru: 'дата постановки в очередь: ДД.ММ.ГГГГ или ГГГГ-ММ-ДД, можно со временем ЧЧ:ММ (время Астаны)', en: 'registration date: dd.mm.yyyy or yyyy-mm-dd, optionally HH:MM (Astana time)', example: '10.05.2023 11:20' },
  { key: 'status', aliases: ['статус', 'мәртебе'], required: false, ru: 'ACTIVE/активна, STOP_LISTED/стоп-лист, REFERRED/направлено, ENROLLED/зачислен, WITHDRAWN/отозвано (по умолчанию активна)', en: 'ACTIVE, STOP_LISTED, REFERRED, ENROLLED or WITHDRAWN (default ACTIVE)', example: 'активна' },
  { key: 'valid_until', aliases: ['действует_до', 'срок_действия'], required: true, ru: 'заявление действует до (конец дня по времени Астаны)', en: 'valid until (end of that day, Astana time)', example: '2025-10-01' },
  { key: 'choices', aliases: ['сады', 'выбранные_сады'], required: false, ru: `номера выбранных садов по порядку, до ${MAX_APPLICATION_CHOICES}: "12, 45, 7" (в кавычках, если содержит разделитель файла) — или столбцы choice_1…choice_${MAX_APPLICATION_CHOICES}`, en: `chosen kindergarten numbers in order, up to ${MAX_APPLICATION_CHOICES}: "12, 45, 7" (quoted when it holds the file's separator) — or columns choice_1…choice_${MAX_APPLICATION_CHOICES}`, example: '"12, 45, 7"' },
  ...Array.from({ length: MAX_APPLICATION_CHOICES }, (_, i): ColumnSpec => ({
    key: `choice_${i + 1}`,
    aliases: [`сад_${i + 1}`],
    required: false,
    ru: `номер сада — ${i + 1}-й выбор`,
    en: `kindergarten number, choice ${i + 1}`,
    example: ['12', '45', '7'][i] ?? '',
  })),
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
}

export interface ApplicationContext {
  kindergartenIdByNumber: Map<number, number>;
}

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

export const applicationsKind: ImportKind<ApplicationRow, ApplicationContext> = {
  name: 'applications',
  columns: APPLICATION_COLUMNS,
  keyColumn: 'queue_number',
  async prepare(db) {
    const rows = await db.kindergarten.findMany({ select: { id: true, number: true } });
    return { kindergartenIdByNumber: new Map(rows.map((r) => [r.number, r.id])) };
  },
  parse(cells, context) {
    const r = base.safeParse(cells);
    const choices = readChoices(cells, context.kindergartenIdByNumber);
    const reasons = r.success ? [] : issueReasons(r.error.issues);
    if ('reasons' in choices) reasons.push(...choices.reasons);
    if (r.success && r.data.child_iin === r.data.parent_iin) reasons.push('child_iin: совпадает с ИИН заявителя / same as the parent IIN');
    const fromIin = r.success ? parseIin(r.data.child_iin) : null;
    if (r.success && fromIin?.ok && r.data.child_birth_date && r.data.child_birth_date.getTime() !== fromIin.birthDate.getTime())
      reasons.push('child_birth_date: не совпадает с датой в ИИН ребёнка / does not match the child IIN');
    if (!r.success || 'reasons' in choices || reasons.length > 0 || !fromIin?.ok) return { ok: false, reasons };
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
      },
    };
  },
  key: (row) => row.queueNumber,
  async writeBatch(db, rows, _context, write) {
    if (rows.length === 0) return [];
    const parentIins = [...new Set(rows.map((r) => r.row.parentIin))];
    const parents = await db.$queryRaw<{ id: number; iin: string }[]>`
      SELECT id, iin FROM parents WHERE iin = ANY(${parentIins}::text[]::bpchar[])`;
    const parentId = new Map(parents.map((p) => [p.iin, p.id]));
    const rejected: BatchRejection[] = [];
    const good = rows.filter((r) => {
      if (parentId.has(r.row.parentIin)) return true;
      rejected.push({ line: r.line, reasons: ['parent_iin: заявитель с таким ИИН не загружен (сначала parents.csv) / no parent with this IIN (import parents.csv first)'] });
      return false;
    });
    if (!write || good.length === 0) return rejected;

    // One statement may not touch a row twice: the last row of a child wins within the batch.
    const children = new Map(good.map((r) => [r.row.childIin, r.row]));
    const ch = [...children.values()];
    await db.$executeRaw`
      INSERT INTO children (iin, "fullName", "birthDate", "parentId")
      SELECT t.iin, t.full_name, t.birth_date, t.parent_id
      FROM unnest(${ch.map((c) => c.childIin)}::text[], ${ch.map((c) => c.childFullName)}::text[],
                  ${ch.map((c) => c.childBirthDate.toISOString().slice(0, 10))}::date[],
                  ${ch.map((c) => parentId.get(c.parentIin)!)}::int[]) AS t(iin, full_name, birth_date, parent_id)
      ON CONFLICT (iin) DO UPDATE SET
        "fullName" = EXCLUDED."fullName", "birthDate" = EXCLUDED."birthDate", "parentId" = EXCLUDED."parentId"`;

    const col = <T>(f: (r: ApplicationRow) => T) => good.map((r) => f(r.row));
    const iso = (d: Date) => d.toISOString();
    await db.$executeRaw`
      INSERT INTO applications ("queueNumber", "parentId", "childId", category, "registeredAt", status, "validUntil")
      SELECT t.queue_number, t.parent_id, c.id, t.category::"ApplicationCategory", t.registered_at::timestamp(3),
             t.status::"ApplicationStatus", t.valid_until::timestamp(3)
      FROM unnest(${col((r) => r.queueNumber)}::int[], ${col((r) => parentId.get(r.parentIin)!)}::int[],
                  ${col((r) => r.childIin)}::text[], ${col((r) => r.category)}::text[], ${col((r) => iso(r.registeredAt))}::text[],
                  ${col((r) => r.status)}::text[], ${col((r) => iso(r.validUntil))}::text[])
        AS t(queue_number, parent_id, child_iin, category, registered_at, status, valid_until)
      JOIN children c ON c.iin = t.child_iin::bpchar
      ON CONFLICT ("queueNumber") DO UPDATE SET
        "parentId" = EXCLUDED."parentId", "childId" = EXCLUDED."childId", category = EXCLUDED.category,
        "registeredAt" = EXCLUDED."registeredAt",
        -- What the bot did since the export survives a re-import of that export: an active/stop-listed
        -- status from a row whose validity is not newer than ours is older news than our purge,
        -- extension or restore. Referrals, enrolments and withdrawals always come from the registry.
        status = CASE
          WHEN EXCLUDED.status IN ('ACTIVE', 'STOP_LISTED') AND applications.status IN ('ACTIVE', 'STOP_LISTED')
               AND EXCLUDED."validUntil" <= applications."validUntil"
          THEN applications.status ELSE EXCLUDED.status END,
        "validUntil" = GREATEST(applications."validUntil", EXCLUDED."validUntil")`;

    // The choices are replaced as a whole: a re-import with another order or set leaves no stale one.
    const queueNumbers = col((r) => r.queueNumber);
    await db.$executeRaw`
      DELETE FROM application_choices ac USING applications a
      WHERE ac."applicationId" = a.id AND a."queueNumber" = ANY(${queueNumbers}::int[])`;
    const choiceQueue: number[] = [];
    const choiceKg: number[] = [];
    const choiceRank: number[] = [];
    for (const r of good) {
      r.row.kindergartenIds.forEach((id, i) => {
        choiceQueue.push(r.row.queueNumber);
        choiceKg.push(id);
        choiceRank.push(i + 1);
      });
    }
    await db.$executeRaw`
      INSERT INTO application_choices ("applicationId", "kindergartenId", rank)
      SELECT a.id, t.kindergarten_id, t.rank
      FROM unnest(${choiceQueue}::int[], ${choiceKg}::int[], ${choiceRank}::int[]) AS t(queue_number, kindergarten_id, rank)
      JOIN applications a ON a."queueNumber" = t.queue_number`;
    return rejected;
  },
};
