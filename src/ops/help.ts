/**
 * `--help` of every command, in Russian and English: operators of the education department read
 * Russian first. Column lists of the import files come from the column specifications, so the
 * help never drifts from what the importer accepts.
 */
import type { ColumnSpec } from '../import/columns.ts';
import { IMPORT_KINDS } from '../import/kinds/index.ts';
import type { ImportKindName } from '../import/kind.ts';

const BIN = 'npm run ops --';

export const MAIN_HELP = `Инструменты оператора / Operator tools

Использование / Usage:  ${BIN} <команда> [параметры]   (или / or: npx kq-ops <command>)

Команды / Commands:
  import kindergartens|parents|applications ФАЙЛ.csv
                      загрузить реестр из CSV / import the registry from CSV
  season set --opens … --deadline … --valid-until … [--code …]
                      создать или изменить сезон / create or change a season
  season show         показать сезоны / list the seasons
  campaign status     ход кампании / campaign progress
  purge --dry-run     сколько заявлений попадёт в стоп-лист / what the purge would move
  purge --confirm     выполнить чистку очереди / run the purge
  stats --out ПАПКА [--season КОД] [--lang kk|ru]
                      статистика анкет: CSV и HTML-отчёт / questionnaire statistics
  user add ИМЯ --role admin|operator|viewer [--password-stdin]
                      учётная запись консоли / a console account
  user list | user reset ИМЯ | user disable ИМЯ | user enable ИМЯ

«${BIN} <команда> --help» — подробно о команде / details of a command.
База данных / Database: DATABASE_URL (PostgreSQL) или / or the embedded one in DATA_DIR (default "data").
`;

function columnTable(columns: readonly ColumnSpec[]): string {
  const width = Math.max(...columns.map((c) => c.key.length)) + 2;
  return columns
    .map((c) => {
      const req = c.required ? '*' : ' ';
      const aliases = c.aliases.length > 0 ? `  [${c.aliases.join(', ')}]` : '';
      return `  ${req} ${c.key.padEnd(width)}${c.ru}\n    ${' '.repeat(width)}${c.en}; e.g. ${c.example}${aliases}`;
    })
    .join('\n');
}

const IMPORT_ORDER: Record<ImportKindName, string> = {
  kindergartens: 'Загружайте первыми / Import first.',
  parents: 'Загружайте до заявлений / Import before applications.',
  applications:
    'Заявители (parents.csv) и сады (kindergartens.csv) должны быть уже загружены; ребёнок создаётся или обновляется из строки. / Parents and kindergartens must be imported first; the child is created or updated from the row.',
};

export function importHelp(kind?: ImportKindName): string {
  const kinds = kind ? [kind] : (Object.keys(IMPORT_KINDS) as ImportKindName[]);
  return `Загрузка реестра из CSV / Registry import from CSV

Использование / Usage:
  ${BIN} import kindergartens|parents|applications ФАЙЛ.csv [--partial] [--report ФАЙЛ] [--threads N]

Файл / File: UTF-8 (с BOM или без / with or without BOM; Windows-1251 и UTF-16 отклоняются / are refused),
разделитель «;» или «,» определяется по заголовку / separator ";" or "," detected from the header.
Первая строка — названия столбцов (любой регистр; английские или русские, см. в скобках), лишние столбцы
игнорируются. / The first line names the columns (any case; English or the Russian aliases in brackets);
extra columns are ignored.  * — обязательный / required.
Даты / Dates: ДД.ММ.ГГГГ или / or ГГГГ-ММ-ДД, время Астаны / Astana time.

Параметры / Options:
  --partial          записать хорошие строки, даже если есть отклонённые (по умолчанию — всё или ничего)
                     keep the good rows when some are rejected (default: all or nothing)
  --report ФАЙЛ      куда записать отклонённые строки (по умолчанию ФАЙЛ.rejected.csv рядом с входным)
                     where to write rejected rows (default: INPUT.rejected.csv next to the input)
  --threads N        потоков разбора файла: 0 — в основном потоке; по умолчанию по одному на ядро
                     (не больше 4) для файла от 16 МБ / threads that parse the file: 0 for the main one;
                     default one per core (at most 4) for a file from 16 MB

Повторная загрузка безопасна: строки обновляются по ключу (ИИН, номер сада, номер очереди).
Re-importing is safe: rows are updated by their natural key (IIN, kindergarten number, queue number).
Повтор ключа внутри файла — строка отклоняется (первая остаётся). / A key repeated within the file
rejects the later row.

${kinds.map((k) => `${k}.csv — ${IMPORT_ORDER[k]}\n${columnTable(IMPORT_KINDS[k].columns)}`).join('\n\n')}
`;
}

export const SEASON_HELP = `Сезон продления / Extension season

Использование / Usage:
  ${BIN} season set --opens ДАТА --deadline ДАТА --valid-until ДАТА [--code КОД]
  ${BIN} season show

  --opens        начало кампании / when the campaign opens
  --deadline     крайний срок; в этот момент проходит чистка очереди / the deadline; the purge runs then
  --valid-until  до какой даты продлеваются заявления / the validity an extension grants
  --code         код сезона (по умолчанию год начала) / season code (default: the opening year)

Даты / Dates: ГГГГ-ММ-ДД или / or ГГГГ-ММ-ДД ЧЧ:ММ, время Астаны / Astana time. Дата без времени:
--opens — начало дня, --deadline и --valid-until — конец дня (23:59:59). / A bare date means the start
of the day for --opens and its end (23:59:59) for --deadline and --valid-until.
Пример / Example:
  ${BIN} season set --opens 2026-09-01 --deadline 2026-10-31 --valid-until 2027-10-31
После чистки сезона его срок и дату продления изменить нельзя. / Once purged, a season's deadline and
validity are fixed.
`;

export const CAMPAIGN_HELP = `Ход кампании / Campaign progress

Использование / Usage:
  ${BIN} campaign status [--season КОД]

Показывает по текущему (или указанному) сезону: сколько заявлений и родителей ещё нужно продлить,
сколько привязали чат, продлили, получили напоминания, недоступны, сколько попало в стоп-лист и
восстановлено. / Shows for the current (or given) season: applications and parents still needing
extension, linked chats, extended, reminded, unreachable, stop-listed and restored.
`;

export const PURGE_HELP = `Чистка очереди / Queue purge

Использование / Usage:
  ${BIN} purge --dry-run [--season КОД]
  ${BIN} purge --confirm [--season КОД] [--force]

  --dry-run   только посчитать: сколько заявлений и родителей попадёт в стоп-лист
              count only: applications and parents the purge would move
  --confirm   перенести непродлённые действующие заявления в стоп-лист и поставить уведомления
              move the active applications not extended to the stop-list and queue the notices
  --force     выполнить до наступления крайнего срока / purge before the deadline
Повторный запуск безопасен. / Running it again is safe.
`;

export const STATS_HELP = `Статистика анкет / Questionnaire statistics

Использование / Usage:
  ${BIN} stats --out ПАПКА [--season КОД] [--lang kk|ru]

  --out      папка для файлов (создаётся) / output folder (created)
  --season   код сезона (по умолчанию текущий) / season code (default: the current one)
  --lang     язык отчёта: ru (по умолчанию) или kk / report language: ru (default) or kk

Файлы / Files (CSV: «;», UTF-8 с BOM / UTF-8 with BOM):
  summary.csv                  сезон, число анкет, медиана оплаты / season, questionnaires, median payment
  demand-by-kindergarten.csv   номер, название, район, форма, мест, 1-й/2-й/3-й выбор, всего выборов,
                               действующих заявлений / number, name, district, ownership, capacity,
                               first/second/third choices, total choices, active applications
  demand-by-district.csv       то же по районам / the same per district
  ownership.csv                форма собственности и причина / ownership preference and reason
  language.csv, payment.csv, sections.csv, digital.csv
                               значение, подпись, число анкет, доля в % / value, label, count, share %
  other-texts.csv              тексты «Другое» (нижний регистр, сгруппированы) / "Other" texts grouped
  report.html                  отчёт с диаграммами, открывается без интернета / report with charts, works offline
`;

export const USER_HELP = `Учётные записи консоли (/admin) / Console accounts

  user add ИМЯ --role admin|operator|viewer [--password-stdin]
      Создать. Пароль создаётся и печатается один раз; с --password-stdin читается из stdin
      (не короче 10 символов). / Create. The password is generated and printed once; with
      --password-stdin it is read from stdin (at least 10 characters).
  user list                 все учётные записи / every account
  user reset ИМЯ            новый пароль (печатается один раз), все сеансы закрыты / a new password, every session ended
  user disable ИМЯ | user enable ИМЯ

Роли / Roles: admin — всё / everything; operator — загрузка, сезоны, чистка, поддержка / imports,
seasons, purge, support; viewer — обзор и статистика, данные скрыты / dashboard and statistics, personal data masked.
Каждое действие — в журнале действий консоли (пользователь «cli»). / Every action is in the audit log (user "cli").`;
