/** `ops stats --out DIR [--season CODE] [--lang kk|ru]` */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createTranslator } from '../../i18n/translator.ts';
import { STATS_STEPS } from '../../stats/compute.ts';
import { exportStats } from '../../stats/export.ts';
import { println, UsageError, withDatabase, type OpsContext } from '../context.ts';
import { STATS_HELP } from '../help.ts';
import { progress } from '../progress.ts';
import { resolveSeason } from './season-arg.ts';

export async function statsCommand(ctx: OpsContext, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      season: { type: 'string' },
      lang: { type: 'string', default: 'ru' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    println(ctx, STATS_HELP);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`Лишние аргументы / Unexpected arguments: ${positionals.join(' ')}`, 'stats');
  if (!values.out) throw new UsageError('Укажите папку: --out ПАПКА / Give the output folder: --out DIR', 'stats');
  const locale = values.lang;
  if (locale !== 'kk' && locale !== 'ru') throw new UsageError('--lang: kk или ru / kk or ru', 'stats');
  const outDir = path.resolve(values.out);
  const translator = await createTranslator(ctx.translatorOptions);
  return withDatabase(ctx, async (prisma) => {
    const now = ctx.now();
    const season = await resolveSeason(prisma, values.season, now, 'stats');
    const bar = progress('stats', ctx.stderr);
    let result: Awaited<ReturnType<typeof exportStats>>;
    try {
      result = await exportStats(prisma, { season, outDir, locale, translator, now, onStep: (done) => bar.update(done / STATS_STEPS) });
    } finally {
      bar.done();
    }
    println(ctx, `Сезон / Season ${season.code}: анкет / questionnaires ${result.stats.questionnaires}; запросы / queries ${result.querySeconds.toFixed(2)} s`);
    for (const f of result.files) println(ctx, `  ${f}`);
    return 0;
  });
}
