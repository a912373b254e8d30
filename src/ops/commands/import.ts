/** `ops import kindergartens|parents|applications FILE.csv` */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { IMPORT_KINDS } from '../../import/kinds/index.ts';
import type { ImportKindName } from '../../import/kind.ts';
import { defaultReportPath } from '../../import/rejection-report.ts';
import { runImport } from '../../import/run-import.ts';
import { registryReach } from '../../import/kind.ts';
import { println, UsageError, withDatabase, type OpsContext } from '../context.ts';
import { importHelp } from '../help.ts';
import { progress } from '../progress.ts';

/** Shown on the terminal; the report file holds them all. */
const PRINTED_REJECTIONS = 20;

export async function importCommand(ctx: OpsContext, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      partial: { type: 'boolean', default: false },
      report: { type: 'string' },
      threads: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [kindName, file, ...extra] = positionals;
  if (values.help) {
    println(ctx, importHelp(kindName && kindName in IMPORT_KINDS ? (kindName as ImportKindName) : undefined));
    return 0;
  }
  if (!kindName || !(kindName in IMPORT_KINDS))
    throw new UsageError(
      `Укажите, что загружать: kindergartens, parents или applications / Say what to import: kindergartens, parents or applications`,
      'import',
    );
  if (!file || extra.length > 0) throw new UsageError('Укажите один CSV-файл / Give one CSV file', 'import');
  const input = path.resolve(file);
  await access(input).catch(() => {
    throw new UsageError(`Файл не найден / File not found: ${input}`, 'import');
  });
  const threads = values.threads === undefined ? undefined : Number(values.threads);
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 0 && threads <= 16))
    throw new UsageError('--threads: целое от 0 до 16 / a whole number 0–16', 'import');
  const reportFile = path.resolve(values.report ?? defaultReportPath(input));
  const kind = IMPORT_KINDS[kindName as ImportKindName];

  return withDatabase(ctx, async (_prisma, db) => {
    const bar = progress(`import ${kindName}`, ctx.stderr);
    const started = performance.now();
    let result: Awaited<ReturnType<typeof runImport>>;
    try {
      result = await runImport(db, kind, {
        file: input,
        partial: values.partial,
        reportFile,
        threads,
        onProgress: bar.update,
        keepRejections: PRINTED_REJECTIONS,
        ...(ctx.reach ? { reach: registryReach(ctx.reach()) } : {}),
      });
    } finally {
      bar.done();
    }
    const seconds = (performance.now() - started) / 1000;
    if (result.ignoredColumns.length > 0) println(ctx, `Пропущены неизвестные столбцы / Ignored unknown columns: ${result.ignoredColumns.join(', ')}`);
    for (const r of result.rejections) println(ctx, `  строка/line ${r.line}${r.key ? ` [${r.key}]` : ''}: ${r.reasons.join(' | ')}`);
    if (result.rejectedCount > result.rejections.length) println(ctx, `  … ещё / more: ${result.rejectedCount - result.rejections.length}`);
    if (result.rejectedCount > 0) println(ctx, `Отклонённые строки / Rejected rows: ${reportFile}`);
    const rate = seconds > 0 ? Math.round(result.rows / seconds) : result.rows;
    println(
      ctx,
      `Строк / Rows: ${result.rows}; записано / written: ${result.written}; отклонено / rejected: ${result.rejectedCount}; ${seconds.toFixed(1)} s (${rate} rows/s)`,
    );
    if (result.committed && result.events > 0)
      println(ctx, `Изменения для родителей / Changes for parents: ${result.events}; уведомлений запланировано / notices planned: ${result.notices}`);
    if (!result.committed) {
      println(
        ctx,
        'Ничего не записано: исправьте строки и загрузите файл снова (или --partial). / Nothing was written: fix the rows and import again (or use --partial).',
      );
      return 3;
    }
    return 0;
  });
}
