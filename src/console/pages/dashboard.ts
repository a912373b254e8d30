/** The dashboard, and its live part that the page fetches again every 15 seconds while open. */
import type { FastifyInstance } from 'fastify';
import { OPENING_OFFSET } from '../../campaign/outbox-kinds.ts';
import { barChart } from '../../stats/svg-chart.ts';
import type { PageContext } from '../context.ts';
import { dashboardData } from '../data/dashboard.ts';
import { inboxFigures } from '../inbox/figures.ts';

export function registerDashboard(app: FastifyInstance, ctx: PageContext): void {
  const live = async (locale: 'kk' | 'ru') => {
    // Shared for ten seconds: the page refreshes every fifteen, and many may have it open.
    const { value: data, at: now } = await ctx.figures.get('dashboard', 10_000, () => dashboardData(ctx.prisma, ctx.clock.now(), ctx.reach));
    const { value: inbox } = await ctx.figures.get('inbox', 5_000, () => inboxFigures(ctx.prisma, ctx.clock.now()));
    if (!data) return { data: null, chart: '', now, inbox };
    const t = (k: string) => ctx.translator.t(locale, `console.dashboard.${k}`);
    const chart =
      data.perDay.length === 0
        ? ''
        : barChart({
            title: t('perDay'),
            series: [{ name: t('extensions'), color: '#2f6fb0' }],
            layout: [[0]],
            rows: data.perDay.map((d) => ({ label: d.day, bars: [[d.count]] })),
          });
    return { data, chart, now, opening: OPENING_OFFSET, inbox };
  };
  app.get('/dashboard', { config: { permission: 'dashboard' } }, async (req, reply) =>
    ctx.render(req, reply, { view: 'dashboard', title: 'dashboard.title', data: await live(req.locale) }),
  );
  app.get('/dashboard/live', { config: { permission: 'dashboard' } }, async (req, reply) =>
    ctx.render(req, reply, { view: 'dashboard-live', title: 'dashboard.title', data: await live(req.locale) }),
  );
}
