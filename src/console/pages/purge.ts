/**
 * The purge: the dry run's numbers (in all and per district), then a confirmation that needs the
 * season's code typed — and, before the deadline, an explicit "purge early" — and afterwards the
 * stop-list notices' progress. The CLI's purge code, audited.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isPurgeDue } from '../../campaign/schedule.ts';
import { purgeDryRun, purgeDryRunByDistrict, runPurge } from '../../campaign/purge.ts';
import { STOPLIST_NOTICE } from '../../campaign/outbox-kinds.ts';
import { currentSeason } from '../../campaign/seasons.ts';
import type { Season } from '../../generated/prisma/client.ts';
import { audit } from '../audit.ts';
import { actorOf, field, flash, type PageContext } from '../context.ts';

export function registerPurge(app: FastifyInstance, ctx: PageContext): void {
  const config = { permission: 'purge' as const };
  const seasonOf = async (code: string): Promise<Season | null> =>
    code
      ? ctx.prisma.season.findUnique({ where: { code } })
      : ((await currentSeason(ctx.prisma, ctx.clock.now())) ?? ctx.prisma.season.findFirst({ orderBy: { opensAt: 'desc' } }));

  const show = async (req: FastifyRequest, reply: FastifyReply, season: Season | null, error: string | null = null, status = 200) => {
    if (!season) return ctx.render(req, reply, { view: 'purge', title: 'purge.title', data: { season: null, seasons: [] } });
    const now = ctx.clock.now();
    // The dry run scans the applications: shared for half a minute, computed afresh after a purge.
    const [{ value: dry }, { value: districts }, runs, notices, seasons] = await Promise.all([
      ctx.figures.get(`purge:${season.id}:dry`, 30_000, () => purgeDryRun(ctx.prisma, season, now)),
      ctx.figures.get(`purge:${season.id}:districts`, 30_000, () => purgeDryRunByDistrict(ctx.prisma, season)),
      ctx.prisma.purgeRun.findMany({ where: { seasonId: season.id }, orderBy: { startedAt: 'asc' } }),
      ctx.prisma.outbox.groupBy({ by: ['status'], where: { seasonId: season.id, kind: STOPLIST_NOTICE }, _count: { _all: true } }),
      ctx.prisma.season.findMany({ orderBy: { opensAt: 'desc' }, select: { code: true } }),
    ]);
    const byStatus = Object.fromEntries(notices.map((n) => [n.status, n._count._all])) as Record<string, number>;
    const noticeTotals = {
      planned: Object.values(byStatus).reduce((a, b) => a + b, 0),
      sent: byStatus.SENT ?? 0,
      failed: byStatus.FAILED ?? 0,
      waiting: (byStatus.PENDING ?? 0) + (byStatus.SENDING ?? 0),
    };
    return ctx.render(req, reply, {
      view: 'purge',
      title: 'purge.title',
      status,
      data: { season, seasons, dry, districts, runs, notices: noticeTotals, due: isPurgeDue(season, now), error, running: noticeTotals.waiting > 0 },
    });
  };

  app.get('/purge', { config }, async (req, reply) => show(req, reply, await seasonOf(String((req.query as Record<string, string>).season ?? ''))));

  app.post('/purge', { config }, async (req, reply) => {
    const season = await seasonOf(field(req, 'season'));
    if (!season) return reply.callNotFound();
    if (field(req, 'confirm').trim() !== season.code) return show(req, reply, season, 'purge.errors.code', 400);
    const now = ctx.clock.now();
    const early = !isPurgeDue(season, now);
    if (early && field(req, 'early') !== 'yes') return show(req, reply, season, 'purge.errors.early', 400);
    const before = await purgeDryRun(ctx.prisma, season, now);
    const result = await runPurge(ctx.prisma, { season, now, force: early, reach: ctx.reach });
    ctx.figures.forget(`purge:${season.id}:`);
    ctx.figures.forget('dashboard');
    await audit(ctx.prisma, actorOf(req), {
      action: 'purge.run',
      objectType: 'season',
      objectId: season.code,
      before: { applicationsToPurge: before.count },
      after: { moved: result.count, notices: result.notices, early, purgeRunId: result.purgeRunId },
    });
    flash(req, { kind: 'ok', key: 'purge.done', params: { count: result.count, notices: result.notices } });
    return reply.redirect(`/admin/purge?season=${encodeURIComponent(season.code)}`, 303);
  });
}
