/**
 * Statistics: the questionnaire report (the same sections and SVG charts as `ops stats`), live
 * from the database, for a season and optionally one district's kindergartens, with its CSV
 * files to download.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { currentSeason } from '../../campaign/seasons.ts';
import { formatAlmaty } from '../../domain/almaty-time.ts';
import { computeStats, type QuestionnaireStats } from '../../stats/compute.ts';
import { STATS_CSV_FILES, statsCsvFiles, type StatsCsvName } from '../../stats/csv-export.ts';
import { reportSections } from '../../stats/html-report.ts';
import { reportLabels } from '../../stats/labels.ts';
import type { PageContext } from '../context.ts';

/** The demand sections narrowed to one district; the questionnaire's other answers stay region-wide. */
function inDistrict(stats: QuestionnaireStats, district: string): QuestionnaireStats {
  if (!district) return stats;
  return {
    ...stats,
    districts: stats.districts.filter((d) => d.district === district),
    kindergartens: stats.kindergartens.filter((k) => k.district === district),
  };
}

export function registerStats(app: FastifyInstance, ctx: PageContext): void {
  const config = { permission: 'stats' as const };
  const load = async (req: FastifyRequest) => {
    const q = req.query as Record<string, string | undefined>;
    const code = q.season ?? '';
    const season = code
      ? await ctx.prisma.season.findUnique({ where: { code } })
      : ((await currentSeason(ctx.prisma, ctx.clock.now())) ?? (await ctx.prisma.season.findFirst({ orderBy: { opensAt: 'desc' } })));
    if (!season) return null;
    // A full pass over the season's questionnaires: shared for a minute.
    const { value: all, at } = await ctx.figures.get(`stats:${season.id}`, 60_000, () => computeStats(ctx.prisma, season));
    const district = all.districts.some((d) => d.district === q.district) ? q.district! : '';
    return { season, district, all, at, stats: inDistrict(all, district) };
  };

  app.get('/stats', { config }, async (req, reply) => {
    const data = await load(req);
    const seasons = await ctx.prisma.season.findMany({ orderBy: { opensAt: 'desc' }, select: { code: true } });
    if (!data) return ctx.render(req, reply, { view: 'stats', title: 'stats.title', data: { season: null, seasons } });
    const labels = reportLabels(ctx.translator, req.locale);
    // HTML this code makes: every text in it escaped by the report (a parent's "Other" text included).
    const report = reportSections({ stats: data.stats, labels, locale: req.locale, generatedAt: formatAlmaty(data.at) });
    const query = new URLSearchParams({ season: data.season.code, ...(data.district ? { district: data.district } : {}) }).toString();
    return ctx.render(req, reply, {
      view: 'stats',
      title: 'stats.title',
      data: {
        season: data.season,
        seasons,
        district: data.district,
        districts: data.all.districts.map((d) => d.district),
        report,
        files: STATS_CSV_FILES,
        query,
      },
    });
  });

  app.get('/stats/:file', { config }, async (req, reply) => {
    const name = (req.params as { file: string }).file as StatsCsvName;
    if (!(STATS_CSV_FILES as readonly string[]).includes(name)) return reply.callNotFound();
    const data = await load(req);
    if (!data) return reply.callNotFound();
    const nameOf = (k: { nameKk: string; nameRu: string }) => (req.locale === 'kk' ? k.nameKk : k.nameRu);
    const content = statsCsvFiles(data.stats, reportLabels(ctx.translator, req.locale), nameOf)[name];
    const download = `${data.season.code}${data.district ? `-${data.district.replace(/[^\p{L}\p{N}-]+/gu, '_')}` : ''}-${name}`;
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="stats.csv"; filename*=UTF-8''${encodeURIComponent(download)}`)
      .send(content);
  });
}
