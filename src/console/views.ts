/**
 * Server-rendered pages: Eta templates (src/console/views) that escape every value unless a
 * template says otherwise (`<%~`, used only for HTML this code made: the layout's body, the SVG
 * charts). Each page gets the texts in the operator's language, the CSRF token for its forms,
 * the menu the operator's role may see and the flash message of the previous action.
 */
import { Eta } from 'eta';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { fileURLToPath } from 'node:url';
import { formatAlmaty } from '../domain/almaty-time.ts';
import { formatAmount } from '../i18n/format.ts';
import type { Translator } from '../i18n/translator.ts';
import type { Param } from '../conversation/core/io.ts';
import { can, type Permission } from './auth/roles.ts';
import type { Page, Render } from './context.ts';

const VIEWS_DIR = fileURLToPath(new URL('./views/', import.meta.url));

/** The menu, in order: path, its text, who sees it. */
export const MENU: { path: string; key: string; permission: Permission }[] = [
  { path: '/admin/dashboard', key: 'nav.dashboard', permission: 'dashboard' },
  { path: '/admin/seasons', key: 'nav.seasons', permission: 'dashboard' },
  { path: '/admin/imports', key: 'nav.imports', permission: 'imports' },
  { path: '/admin/purge', key: 'nav.purge', permission: 'purge' },
  { path: '/admin/stats', key: 'nav.stats', permission: 'stats' },
  { path: '/admin/inbox', key: 'nav.inbox', permission: 'inbox' },
  { path: '/admin/parents', key: 'nav.parents', permission: 'parents' },
  { path: '/admin/audit', key: 'nav.audit', permission: 'audit' },
  { path: '/admin/users', key: 'nav.users', permission: 'users' },
];

export function createRenderer(translator: Translator): Render {
  const eta = new Eta({ views: VIEWS_DIR, cache: process.env.NODE_ENV !== 'development', autoEscape: true });
  return (req: FastifyRequest, reply: FastifyReply, page: Page) => {
    const locale = req.locale;
    const t = (key: string, params?: Record<string, Param>) => translator.t(locale, `console.${key}`, params);
    const user = req.operator;
    const flash = req.session.flash;
    if (flash) req.session.flash = undefined;
    const html = eta.render(`./${page.view}`, {
      ...page.data,
      t,
      locale,
      title: t(page.title),
      path: req.url.split('?')[0],
      csrf: reply.generateCsrf(),
      user: user ? { username: user.username, role: user.role } : null,
      can: (p: Permission) => (user ? can(user.role, p) : false),
      menu: user ? MENU.filter((m) => can(user.role, m.permission)) : [],
      flash: flash ? { kind: flash.kind, text: t(flash.key, flash.params) } : null,
      num: (n: number) => formatAmount(n, locale),
      when: (d: Date | null | undefined) => (d ? formatAlmaty(d).slice(0, 16) : '—'),
      day: (d: Date | null | undefined) => (d ? formatAlmaty(d).slice(0, 10) : '—'),
    });
    return reply
      .code(page.status ?? 200)
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(html);
  };
}
