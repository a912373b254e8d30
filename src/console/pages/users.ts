/** Accounts (admin only): create, change role, disable or enable, reset a password. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseRole, ROLES } from '../auth/roles.ts';
import { changeRole, createUser, resetPassword, setDisabled, UserError } from '../auth/users.ts';
import { actorOf, field, flash, type PageContext } from '../context.ts';

export function registerUsers(app: FastifyInstance, ctx: PageContext): void {
  const show = async (
    req: FastifyRequest,
    reply: FastifyReply,
    extra: { error?: string; revealed?: { username: string; password: string }; form?: { username: string; role: string } } = {},
    status = 200,
  ) => {
    const users = await ctx.prisma.operatorUser.findMany({ orderBy: { username: 'asc' } });
    const now = ctx.clock.now();
    return ctx.render(req, reply, {
      view: 'users',
      title: 'users.title',
      status,
      data: {
        users: users.map((u) => ({ ...u, locked: u.lockedUntil !== null && u.lockedUntil > now })),
        roles: ROLES,
        form: { username: '', role: 'OPERATOR' },
        ...extra,
      },
    });
  };
  const config = { permission: 'users' as const };
  const idOf = (req: FastifyRequest) => Number((req.params as { id: string }).id);
  const problem = (req: FastifyRequest, reply: FastifyReply, e: unknown) => {
    if (e instanceof UserError) return show(req, reply, { error: `users.errors.${e.problem}` }, e.problem === 'notFound' ? 404 : 400);
    throw e;
  };

  app.get('/users', { config }, (req, reply) => show(req, reply));

  app.post('/users', { config }, async (req, reply) => {
    const form = { username: field(req, 'username'), role: field(req, 'role') };
    const role = parseRole(form.role);
    if (!role) return show(req, reply, { error: 'users.errors.role', form }, 400);
    try {
      const { user, password } = await createUser(ctx.prisma, actorOf(req), { username: form.username, role, locale: req.locale });
      return show(req, reply, { revealed: { username: user.username, password } });
    } catch (e) {
      if (e instanceof UserError) return show(req, reply, { error: `users.errors.${e.problem}`, form }, 400);
      throw e;
    }
  });

  /** A change to one account: its user error shown on the page, else "saved" and back to the list. */
  const change = async (req: FastifyRequest, reply: FastifyReply, apply: () => Promise<void>) => {
    try {
      await apply();
    } catch (e) {
      return problem(req, reply, e);
    }
    flash(req, { kind: 'ok', key: 'users.saved' });
    return reply.redirect('/admin/users', 303);
  };

  app.post('/users/:id/role', { config }, async (req, reply) => {
    const role = parseRole(field(req, 'role'));
    if (!role) return show(req, reply, { error: 'users.errors.role' }, 400);
    return change(req, reply, () => changeRole(ctx.prisma, actorOf(req), idOf(req), role, ctx.clock.now()));
  });

  app.post('/users/:id/disabled', { config }, (req, reply) =>
    change(req, reply, () => setDisabled(ctx.prisma, actorOf(req), idOf(req), field(req, 'disabled') === 'true', ctx.clock.now())),
  );

  app.post('/users/:id/password', { config }, async (req, reply) => {
    try {
      const password = await resetPassword(ctx.prisma, actorOf(req), idOf(req), ctx.clock.now());
      const user = await ctx.prisma.operatorUser.findUniqueOrThrow({ where: { id: idOf(req) } });
      return show(req, reply, { revealed: { username: user.username, password } });
    } catch (e) {
      return problem(req, reply, e);
    }
  });
}
