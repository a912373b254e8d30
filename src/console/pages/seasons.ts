/** Seasons: the list, and one form that creates a season or changes one (the CLI's rules). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { currentSeason, formatAlmaty, parseAlmatyDateTime, SeasonError, setSeason } from '../../campaign/seasons.ts';
import { audit } from '../audit.ts';
import { actorOf, field, flash, type PageContext } from '../context.ts';

type Form = { code: string; opens: string; deadline: string; validUntil: string };
type Errors = Partial<Record<keyof Form, string>>;

const PROBLEM_FIELD: Record<SeasonError['problem'], keyof Form> = {
  code: 'code',
  opensAt: 'opens',
  deadline: 'deadline',
  validUntil: 'validUntil',
  order: 'deadline',
  validity: 'validUntil',
  purgedDeadline: 'deadline',
  purgedValidity: 'validUntil',
};

const dateOf = (d: Date) => formatAlmaty(d).slice(0, 10);
const snapshot = (s: { opensAt: Date; deadline: Date; validUntil: Date }) => ({
  opensAt: formatAlmaty(s.opensAt),
  deadline: formatAlmaty(s.deadline),
  validUntil: formatAlmaty(s.validUntil),
});

export function registerSeasons(app: FastifyInstance, ctx: PageContext): void {
  const show = async (req: FastifyRequest, reply: FastifyReply, form: Form, errors: Errors = {}, status = 200) => {
    const seasons = await ctx.prisma.season.findMany({ orderBy: { opensAt: 'desc' } });
    const current = await currentSeason(ctx.prisma, ctx.clock.now());
    const purged = new Set((await ctx.prisma.purgeRun.findMany({ select: { seasonId: true }, distinct: ['seasonId'] })).map((p) => p.seasonId));
    const rows = seasons.map((s) => ({ ...s, current: s.id === current?.id, purged: purged.has(s.id) }));
    return ctx.render(req, reply, { view: 'seasons', title: 'seasons.title', status, data: { rows, form, errors } });
  };

  app.get('/seasons', { config: { permission: 'dashboard' } }, async (req, reply) => {
    const code = String((req.query as Record<string, string>).code ?? '');
    const s = code ? await ctx.prisma.season.findUnique({ where: { code } }) : null;
    return show(
      req,
      reply,
      s
        ? { code: s.code, opens: dateOf(s.opensAt), deadline: dateOf(s.deadline), validUntil: dateOf(s.validUntil) }
        : { code: '', opens: '', deadline: '', validUntil: '' },
    );
  });

  app.post('/seasons', { config: { permission: 'seasons.change' } }, async (req, reply) => {
    const form: Form = { code: field(req, 'code').trim(), opens: field(req, 'opens'), deadline: field(req, 'deadline'), validUntil: field(req, 'validUntil') };
    const errors: Errors = {};
    const parse = (k: 'opens' | 'deadline' | 'validUntil', dateOnly: 'startOfDay' | 'endOfDay') => {
      try {
        return parseAlmatyDateTime(form[k], { dateOnly });
      } catch {
        errors[k] = 'seasons.errors.date';
        return new Date(NaN);
      }
    };
    const input = {
      code: form.code,
      opensAt: parse('opens', 'startOfDay'),
      deadline: parse('deadline', 'endOfDay'),
      validUntil: parse('validUntil', 'endOfDay'),
    };
    if (Object.keys(errors).length > 0) return show(req, reply, form, errors, 400);
    const before = await ctx.prisma.season.findUnique({ where: { code: form.code } });
    try {
      const { season, created } = await setSeason(ctx.prisma, input);
      await audit(ctx.prisma, actorOf(req), {
        action: created ? 'season.create' : 'season.change',
        objectType: 'season',
        objectId: season.code,
        before: before ? snapshot(before) : undefined,
        after: snapshot(season),
      });
      flash(req, { kind: 'ok', key: created ? 'seasons.created' : 'seasons.changed', params: { code: season.code } });
      return reply.redirect('/admin/seasons', 303);
    } catch (e) {
      if (!(e instanceof SeasonError)) throw e;
      return show(req, reply, form, { [PROBLEM_FIELD[e.problem]]: `seasons.errors.${e.problem}` }, 400);
    }
  });
}
