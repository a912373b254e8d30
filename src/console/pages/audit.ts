/** The audit log, newest first, filtered by who, what and when; read-only (there is no route that changes it). */
import type { FastifyInstance } from 'fastify';
import { parseAlmatyDateTime } from '../../campaign/seasons.ts';
import type { Prisma } from '../../generated/prisma/client.ts';
import type { PageContext } from '../context.ts';

const PAGE = 100;

export function registerAuditPage(app: FastifyInstance, ctx: PageContext): void {
  app.get('/audit', { config: { permission: 'audit' } }, async (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    const filters = { username: (q.username ?? '').trim(), action: (q.action ?? '').trim(), from: q.from ?? '', to: q.to ?? '' };
    const date = (v: string, end: boolean) => {
      try {
        return v ? parseAlmatyDateTime(v, { dateOnly: end ? 'endOfDay' : 'startOfDay' }) : undefined;
      } catch {
        return undefined;
      }
    };
    const before = Number(q.before);
    const where: Prisma.AuditEntryWhereInput = {
      ...(filters.username ? { username: filters.username.toLowerCase() } : {}),
      ...(filters.action ? { action: { startsWith: filters.action } } : {}),
      at: { gte: date(filters.from, false), lte: date(filters.to, true) },
      ...(Number.isInteger(before) && before > 0 ? { id: { lt: before } } : {}),
    };
    const rows = await ctx.prisma.auditEntry.findMany({ where, orderBy: { id: 'desc' }, take: PAGE + 1 });
    const more = rows.length > PAGE;
    const shown = rows
      .slice(0, PAGE)
      .map((r) => ({ ...r, beforeText: r.before === null ? '' : JSON.stringify(r.before), afterText: r.after === null ? '' : JSON.stringify(r.after) }));
    const next = more ? new URLSearchParams({ ...filters, before: String(shown.at(-1)!.id) }).toString() : null;
    return ctx.render(req, reply, { view: 'audit', title: 'audit.title', data: { rows: shown, filters, next } });
  });
}
