/** `ops purge --dry-run | --confirm` over the campaign's purge. */
import { parseArgs } from 'node:util';
import { purgeDryRun, PurgeRefusedError, runPurge } from '../../campaign/purge.ts';
import { formatAlmaty } from '../../campaign/seasons.ts';
import { println, UsageError, withDatabase, type OpsContext } from '../context.ts';
import { PURGE_HELP } from '../help.ts';
import { resolveSeason } from './season-arg.ts';

export async function purgeCommand(ctx: OpsContext, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      'dry-run': { type: 'boolean', default: false },
      confirm: { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      season: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    println(ctx, PURGE_HELP);
    return 0;
  }
  if (positionals.length > 0 || values['dry-run'] === values.confirm)
    throw new UsageError('Укажите ровно одно: --dry-run или --confirm / Give exactly one of --dry-run or --confirm', 'purge');
  if (values.force && !values.confirm) throw new UsageError('--force только с --confirm / --force needs --confirm', 'purge');
  return withDatabase(ctx, async (prisma) => {
    const now = ctx.now();
    const season = await resolveSeason(prisma, values.season, now, 'purge');
    println(ctx, `Сезон / Season ${season.code}, deadline ${formatAlmaty(season.deadline)} (Asia/Almaty)`);
    if (values['dry-run']) {
      const r = await purgeDryRun(prisma, season, now);
      println(ctx, `В стоп-лист попадут / Would move to the stop-list: ${r.count} заявлений / applications, ${r.parents} родителей / parents.`);
      println(ctx, 'Ничего не изменено. Выполнить: purge --confirm / Nothing changed. To run it: purge --confirm');
      return 0;
    }
    try {
      const r = await runPurge(prisma, { season, now, force: values.force, reach: ctx.reach?.() });
      println(ctx, `В стоп-лист перенесено / Moved to the stop-list: ${r.count}; уведомлений поставлено / notices queued: ${r.notices}.`);
      if (r.purgeRunId === null) println(ctx, 'Чистка уже была проведена; новых заявлений нет. / Already purged; nothing new.');
      return 0;
    } catch (e) {
      if (e instanceof PurgeRefusedError)
        throw new UsageError(`${e.message}. Срок ещё не наступил: --force, если это решение / The deadline has not come: add --force if intended`, 'purge');
      throw e;
    }
  });
}
