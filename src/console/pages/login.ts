/** Signing in and out, and the language switch. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { audit } from '../audit.ts';
import { authenticate } from '../auth/users.ts';
import { formatTime } from '../../i18n/format.ts';
import { actorOf, field, type PageContext } from '../context.ts';
import { CONSOLE_PREFIX } from '../paths.ts';

/** Where to go after signing in: a console page, never another site. */
function safeNext(next: string): string {
  return /^\/admin\/[a-z][\w/?=&%.-]*$/i.test(next) && !next.startsWith('//') ? next : `${CONSOLE_PREFIX}/dashboard`;
}

export function registerLogin(app: FastifyInstance, ctx: PageContext): void {
  const form = (req: FastifyRequest, reply: FastifyReply, error: string | null, status = 200, params: Record<string, string> = {}) =>
    ctx.render(req, reply, {
      view: 'login',
      title: 'login.title',
      status,
      data: {
        error,
        errorParams: params,
        next: safeNext(field(req, 'next') || String((req.query as Record<string, string>).next ?? '')),
        username: field(req, 'username'),
      },
    });

  app.get('/login', (req, reply) => (req.operator ? reply.redirect(`${CONSOLE_PREFIX}/dashboard`, 303) : form(req, reply, null)));

  app.post('/login', { config: { rateLimit: { max: 30, timeWindow: '1 minute' } } }, async (req, reply) => {
    const username = field(req, 'username');
    const now = ctx.clock.now();
    const result = await authenticate(ctx.prisma, username, field(req, 'password'), now);
    if (!result.ok) {
      await audit(
        ctx.prisma,
        { userId: null, username: username.slice(0, 64) || '?', ip: req.ip },
        { action: 'login.failed', after: { reason: result.reason } },
        now,
      );
      if (result.reason === 'locked') return form(req, reply, 'login.locked', 429, { until: formatTime(result.until) });
      return form(req, reply, result.reason === 'disabled' ? 'login.disabled' : 'login.invalid', 401);
    }
    const locale = req.session.locale;
    // A new session id at sign-in: an id planted before cannot ride along.
    await req.session.regenerate();
    req.session.userId = result.user.id;
    req.session.signedInAt = now.getTime();
    req.session.locale = locale ?? result.user.locale;
    req.operator = result.user;
    await audit(ctx.prisma, actorOf(req), { action: 'login' }, now);
    return reply.redirect(safeNext(field(req, 'next')), 303);
  });

  app.post('/logout', async (req, reply) => {
    if (req.operator) await audit(ctx.prisma, actorOf(req), { action: 'logout' }, ctx.clock.now());
    await req.session.destroy();
    return reply.redirect(`${CONSOLE_PREFIX}/login`, 303);
  });

  app.post('/lang', async (req, reply) => {
    const lang = field(req, 'lang');
    if (lang === 'kk' || lang === 'ru') {
      req.session.locale = lang;
      if (req.operator && req.operator.locale !== lang) {
        await ctx.prisma.operatorUser.update({ where: { id: req.operator.id }, data: { locale: lang } });
        await audit(ctx.prisma, actorOf(req), {
          action: 'user.language',
          objectType: 'user',
          objectId: req.operator.username,
          before: { locale: req.operator.locale },
          after: { locale: lang },
        });
      }
    }
    const back = field(req, 'back');
    return reply.redirect(back === `${CONSOLE_PREFIX}/login` ? back : safeNext(back), 303);
  });
}
