/** parents.csv: applicants (parents), upserted by IIN. */
import { z } from 'zod';
import type { ColumnSpec } from '../columns.ts';
import { iin, LOCALE, orDefault, phone, text, YES_NO } from '../fields.ts';
import { issueReasons, NO_EVENTS, type ImportKind } from '../kind.ts';

export const PARENT_COLUMNS: readonly ColumnSpec[] = [
  {
    key: 'iin',
    aliases: ['иин', 'жсн'],
    required: true,
    ru: 'ИИН заявителя (12 цифр, проверяется контрольная цифра)',
    en: "applicant's IIN (12 digits, check digit verified)",
    example: '900514401017',
  },
  { key: 'full_name', aliases: ['фио', 'аты_жөні'], required: true, ru: 'ФИО', en: 'full name', example: 'Серикова Айгерим Болатовна' },
  {
    key: 'phone',
    aliases: ['телефон', 'тел'],
    required: true,
    ru: 'мобильный телефон: +77011234567, 87011234567, 8 (701) 123-45-67',
    en: 'mobile phone, any usual form; stored as +7XXXXXXXXXX',
    example: '+7 701 123 45 67',
  },
  {
    key: 'locale',
    aliases: ['язык', 'тіл'],
    required: false,
    ru: 'язык общения: kk или ru (пусто — не менять)',
    en: 'language for messages: kk or ru (empty keeps the current one)',
    example: 'kk',
  },
  {
    key: 'notify_whatsapp',
    aliases: ['согласие_whatsapp', 'whatsapp_келісім'],
    required: false,
    ru: 'согласие на сообщения в WhatsApp на этот номер: да/нет (пусто — не менять)',
    en: 'consent to WhatsApp messages at this phone: yes/no (empty keeps the current one)',
    example: 'да',
  },
  {
    key: 'notify_sms',
    aliases: ['согласие_sms', 'sms_келісім'],
    required: false,
    ru: 'согласие на SMS на этот номер: да/нет (пусто — не менять)',
    en: 'consent to SMS at this phone: yes/no (empty keeps the current one)',
    example: 'нет',
  },
];

/** yes/no, or null when the cell is empty (the stored consent stays as it is). */
const consent = z.string().transform((s, ctx): boolean | null => {
  if (s.trim() === '') return null;
  const r = YES_NO.schema.safeParse(s);
  if (r.success) return r.data === 'yes';
  for (const issue of r.error.issues) ctx.addIssue({ code: 'custom', message: issue.message });
  return z.NEVER;
});

const schema = z.object({
  iin,
  full_name: text(300),
  phone,
  locale: orDefault<'kk' | 'ru' | null>(LOCALE.schema, null),
  notify_whatsapp: consent,
  notify_sms: consent,
});

export type ParentRow = z.output<typeof schema>;

export const parentsKind: ImportKind<ParentRow, null> = {
  name: 'parents',
  columns: PARENT_COLUMNS,
  keyColumn: 'iin',
  prepare: async () => null,
  parse(cells) {
    const r = schema.safeParse(cells);
    return r.success ? { ok: true, row: r.data } : { ok: false, reasons: issueReasons(r.error.issues) };
  },
  stagingKey: 'iin',
  keyOf: (r) => Number(r.iin),
  staging: [
    ['iin', 'char(12)'],
    ['full_name', 'text'],
    ['phone', 'text'],
    ['locale', 'text'],
    ['wa', 'bool'],
    ['sms', 'bool'],
  ],
  stage: (r) => [r.iin, r.full_name, r.phone, r.locale, r.notify_whatsapp, r.notify_sms],
  async merge(s, stage) {
    await s.query(`
      INSERT INTO parents (iin, "fullName", phone, locale, "notifyWhatsapp", "notifySms")
      SELECT iin, full_name, phone, locale::"Locale", wa, sms FROM ${stage}
      ON CONFLICT (iin) DO UPDATE SET
        "fullName" = EXCLUDED."fullName", phone = EXCLUDED.phone, locale = COALESCE(EXCLUDED.locale, parents.locale),
        "notifyWhatsapp" = COALESCE(EXCLUDED."notifyWhatsapp", parents."notifyWhatsapp"),
        "notifySms" = COALESCE(EXCLUDED."notifySms", parents."notifySms")
      -- A re-import of the same file rewrites no row.
      WHERE (parents."fullName", parents.phone, parents.locale, parents."notifyWhatsapp", parents."notifySms")
        IS DISTINCT FROM (EXCLUDED."fullName", EXCLUDED.phone, COALESCE(EXCLUDED.locale, parents.locale),
                          COALESCE(EXCLUDED."notifyWhatsapp", parents."notifyWhatsapp"), COALESCE(EXCLUDED."notifySms", parents."notifySms"))`);
    return NO_EVENTS;
  },
};
