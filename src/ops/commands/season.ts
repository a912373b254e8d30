/** `ops season set|show` over the campaign's season functions. */
import { parseArgs } from 'node:util';
import { currentSeason, formatAlmaty, parseAlmatyDateTime, setSeason } from '../../campaign/seasons.ts';
import { toAlmaty } from '../../domain/almaty-time.ts';
import { println, textTable, UsageError, withDatabase, type OpsContext } from '../context.ts';
import { SEASON_HELP } from '../help.ts';

function date(value: string | undefined, option: string, dateOnly: 'startOfDay' | 'endOfDay'): Date {
  if (value === undefined) throw new UsageError(`Нет ${option} / ${option} is missing`, 'season');
  try {
    return parseAlmatyDateTime(value, { dateOnly });
  } catch (e) {
    throw new UsageError(`${option}: ${(e as Error).message}`, 'season');
  }
}

export async function seasonCommand(ctx: OpsContext, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      opens: { type: 'string' },
      deadline: { type: 'string' },
      'valid-until': { type: 'string' },
      code: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    println(ctx, SEASON_HELP);
    return 0;
  }
  const [action, ...extra] = positionals;
  if (extra.length > 0 || (action !== 'set' && action !== 'show')) throw new UsageError('season set или / or season show', 'season');

  if (action === 'set') {
    const opensAt = date(values.opens, '--opens', 'startOfDay');
    const deadline = date(values.deadline, '--deadline', 'endOfDay');
    const validUntil = date(values['valid-until'], '--valid-until', 'endOfDay');
    const code = values.code ?? String(toAlmaty(opensAt).year);
    return withDatabase(ctx, async (prisma) => {
      const { season, created } = await setSeason(prisma, { code, opensAt, deadline, validUntil });
      println(ctx, `${created ? 'Создан сезон / Created season' : 'Изменён сезон / Updated season'} ${season.code}:`);
      println(
        ctx,
        `  opens ${formatAlmaty(season.opensAt)}, deadline ${formatAlmaty(season.deadline)}, valid until ${formatAlmaty(season.validUntil)} (Asia/Almaty)`,
      );
      return 0;
    });
  }
  return withDatabase(ctx, async (prisma) => {
    const seasons = await prisma.season.findMany({ orderBy: { opensAt: 'asc' } });
    if (seasons.length === 0) {
      println(ctx, 'Сезонов нет. Создайте: season set … / No seasons yet: run season set …');
      return 0;
    }
    const current = await currentSeason(prisma, ctx.now());
    const purged = new Set((await prisma.purgeRun.findMany({ select: { seasonId: true }, distinct: ['seasonId'] })).map((p) => p.seasonId));
    println(
      ctx,
      textTable([
        ['code', 'opens (Almaty)', 'deadline', 'valid until', 'current', 'purged'],
        ...seasons.map((s) => [
          s.code,
          formatAlmaty(s.opensAt),
          formatAlmaty(s.deadline),
          formatAlmaty(s.validUntil),
          s.id === current?.id ? '*' : '',
          purged.has(s.id) ? 'yes' : '',
        ]),
      ]),
    );
    return 0;
  });
}
