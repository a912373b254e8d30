/**
 * The operator console at /admin, on the product's Fastify: helmet's headers with a strict
 * Content-Security-Policy (scripts and styles only from /admin/assets), sessions in the database
 * (HttpOnly, SameSite=Strict, Secure behind https, ended after the idle timeout), a CSRF token on
 * every form, login rate-limited, every route behind a session and the permission it names.
 */
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import session from '@fastify/session';
import fastifyStatic from '@fastify/static';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { fileURLToPath } from 'node:url';
import type { HttpServer } from '../http/server.ts';
import { can } from './auth/roles.ts';
import type { ConsoleDeps, PageContext } from './context.ts';
import { SharedFigures } from './data/cache.ts';
import { DatabaseSessionStore } from './session-store.ts';
import { createRenderer } from './views.ts';
import { CONSOLE_PREFIX } from './paths.ts';
import { registerAuditPage } from './pages/audit.ts';
import { registerDashboard } from './pages/dashboard.ts';
import { registerImports } from './pages/imports.ts';
import { registerLogin } from './pages/login.ts';
import { registerPurge } from './pages/purge.ts';
import { registerParents } from './pages/parents.ts';
import { registerSeasons } from './pages/seasons.ts';
import { registerStats } from './pages/stats.ts';
import { registerUsers } from './pages/users.ts';
import { registerInbox } from './pages/inbox.ts';

const ASSETS_DIR = fileURLToPath(new URL('./assets/', import.meta.url));
const COOKIE = 'kq_console';
/** A registry file: the biggest region's applications fit with room to spare. */
const MAX_UPLOAD_BYTES = 256 * 1024 * 1024;

export interface ConsoleHandle {
  sessions: DatabaseSessionStore;
}

export function registerConsole(http: HttpServer, deps: ConsoleDeps): ConsoleHandle {
  const idleMs = (deps.idleMinutes ?? 30) * 60_000;
  const sessions = new DatabaseSessionStore(deps.prisma, () => deps.clock.now(), idleMs);
  const ctx: PageContext = {
    ...deps,
    render: createRenderer(deps.translator),
    figures: new SharedFigures(
      () => deps.clock.now(),
      (err, key) => deps.logger.error({ err, figures: key }, 'console: figures could not be refreshed'),
    ),
  };

  http.app.register(
    async (app: FastifyInstance) => {
      await app.register(helmet, {
        contentSecurityPolicy: {
          useDefaults: false,
          directives: {
            defaultSrc: ["'none'"],
            scriptSrc: ["'self'"],
            styleSrc: ["'self'"],
            imgSrc: ["'self'", 'data:'],
            connectSrc: ["'self'"],
            formAction: ["'self'"],
            frameAncestors: ["'none'"],
            baseUri: ["'none'"],
          },
        },
        referrerPolicy: { policy: 'no-referrer' },
        strictTransportSecurity: deps.secureCookies,
      });
      await app.register(cookie);
      await app.register(session, {
        secret: deps.sessionSecret,
        cookieName: COOKIE,
        store: sessions,
        saveUninitialized: false,
        rolling: true,
        cookie: { path: CONSOLE_PREFIX, httpOnly: true, sameSite: 'strict', secure: deps.secureCookies, maxAge: idleMs },
      });
      await app.register(csrf, {
        sessionPlugin: '@fastify/session',
        getToken: (req: FastifyRequest) => {
          const body = req.body as Record<string, unknown> | undefined;
          const fromBody = typeof body?._csrf === 'string' ? body._csrf : undefined;
          return fromBody ?? (req.headers['x-csrf-token'] as string | undefined) ?? (req.query as Record<string, string | undefined>)._csrf;
        },
      });
      await app.register(formbody, { bodyLimit: 64 * 1024 });
      await app.register(multipart, { limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 10 } });
      // A ceiling per address for every console request (a person clicks far less; the login has its own, lower one).
      await app.register(rateLimit, { global: true, max: 1200, timeWindow: '1 minute' });
      await app.register(fastifyStatic, { root: ASSETS_DIR, prefix: '/assets/', maxAge: '1h', decorateReply: false });

      app.decorateRequest('operator', null);
      app.decorateRequest('locale', 'ru');
      // Who is asking, before anything else runs: routes with a permission need a live session.
      app.addHook('preHandler', async (req, reply) => {
        const operator = await signedInOperator(deps, req);
        req.operator = operator;
        req.locale = req.session.locale ?? operator?.locale ?? 'ru';
        const permission = req.routeOptions.config.permission;
        if (permission === undefined) return;
        if (!operator) {
          const next = req.method === 'GET' ? `?next=${encodeURIComponent(req.url)}` : '';
          return reply.redirect(`${CONSOLE_PREFIX}/login${next}`, 303);
        }
        if (!can(operator.role, permission))
          return ctx.render(req, reply, { view: 'error', title: 'error.forbiddenTitle', data: { message: 'error.forbidden' }, status: 403 });
      });
      // Every state change carries the form's token (after the session check: no session, login).
      app.addHook('preHandler', (req, reply, done) => {
        if (req.method === 'GET' || req.method === 'HEAD' || reply.sent) return done();
        app.csrfProtection(req, reply, done);
      });
      app.setErrorHandler((err: FastifyError, req, reply) => {
        const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
        if (status === 500) deps.logger.error({ err, path: req.routeOptions.url }, 'console: a page failed');
        const message =
          status === 403
            ? 'error.csrf'
            : status === 413
              ? 'error.tooLarge'
              : status === 429
                ? 'error.tooMany'
                : status === 500
                  ? 'error.internal'
                  : 'error.badRequest';
        return ctx.render(req, reply, { view: 'error', title: 'error.title', data: { message }, status });
      });
      const notFound = (req: FastifyRequest, reply: FastifyReply) =>
        ctx.render(req, reply, { view: 'error', title: 'error.notFoundTitle', data: { message: 'error.notFound' }, status: 404 });
      app.setNotFoundHandler(notFound);

      app.get('/', { config: { permission: 'dashboard' } }, (_req, reply) => reply.redirect(`${CONSOLE_PREFIX}/dashboard`, 303));
      // Any other address under /admin: the console's own "not found", behind the session like the rest.
      app.get('/*', { config: { permission: 'dashboard' } }, notFound);
      registerLogin(app, ctx);
      registerDashboard(app, ctx);
      registerSeasons(app, ctx);
      registerImports(app, ctx);
      registerPurge(app, ctx);
      registerStats(app, ctx);
      registerParents(app, ctx);
      registerInbox(app, ctx);
      registerAuditPage(app, ctx);
      registerUsers(app, ctx);
    },
    { prefix: CONSOLE_PREFIX },
  );
  return { sessions };
}

/** The session's operator, if the session is live: the account exists, is enabled, and was not reset since. */
async function signedInOperator(deps: ConsoleDeps, req: FastifyRequest) {
  const { userId, signedInAt } = req.session;
  if (userId === undefined || signedInAt === undefined) return null;
  const user = await deps.prisma.operatorUser.findUnique({ where: { id: userId } });
  if (!user || user.disabledAt || user.sessionsValidFrom.getTime() > signedInAt) return null;
  return user;
}
