/**
 * The support desk: a parent found by phone, IIN or queue number, with applications, chats, where
 * the conversation stands and the messages sent; actions for an operator on the phone with the
 * parent. IIN and phone are masked for a role that may not see personal data.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { resendReminder } from '../../campaign/planner.ts';
import { maskIin, maskPhone } from '../../domain/mask.ts';
import { liftPhoneLock } from '../../services/identification.ts';
import { audit } from '../audit.ts';
import { can } from '../auth/roles.ts';
import { actorOf, flash, type PageContext } from '../context.ts';
import { inTransaction } from '../../services/db.ts';
import { findParents, parentCard } from '../data/parents.ts';

export function registerParents(app: FastifyInstance, ctx: PageContext): void {
  const masker = (req: FastifyRequest) => {
    const open = req.operator !== null && can(req.operator.role, 'personalData');
    return { iin: (v: string) => (open ? v : maskIin(v)), phone: (v: string) => (open ? v : maskPhone(v)) };
  };
  const idOf = (req: FastifyRequest) => Number((req.params as { id: string }).id);

  app.get('/parents', { config: { permission: 'parents' } }, async (req, reply) => {
    const q = String((req.query as Record<string, string>).q ?? '');
    const found = await findParents(ctx.prisma, q);
    if (found.length === 1) return reply.redirect(`/admin/parents/${found[0]!.id}`, 303);
    if (q.trim()) await audit(ctx.prisma, actorOf(req), { action: 'parent.search', after: { matches: found.length } });
    return ctx.render(req, reply, { view: 'parents', title: 'parents.title', data: { q, found, mask: masker(req), searched: q.trim() !== '' } });
  });

  app.get('/parents/:id', { config: { permission: 'parents' } }, async (req, reply) => {
    const card = await parentCard(ctx.prisma, idOf(req), ctx.clock.now(), ctx.identification);
    if (!card) return ctx.render(req, reply, { view: 'error', title: 'error.notFoundTitle', data: { message: 'parents.notFound' }, status: 404 });
    // Looking at a parent's personal data is itself an action worth a trace.
    await audit(ctx.prisma, actorOf(req), { action: 'parent.view', objectType: 'parent', objectId: card.parent.id });
    return ctx.render(req, reply, { view: 'parent', title: 'parents.cardTitle', data: { ...card, mask: masker(req), now: ctx.clock.now() } });
  });

  const act = { permission: 'support.act' as const };

  app.post('/parents/:id/unlock', { config: act }, async (req, reply) => {
    const parent = await ctx.prisma.parent.findUnique({ where: { id: idOf(req) } });
    if (!parent) return reply.code(404).send();
    const removed = await liftPhoneLock(ctx.prisma, parent.phone);
    await audit(ctx.prisma, actorOf(req), { action: 'parent.unlock', objectType: 'parent', objectId: parent.id, after: { failuresForgotten: removed } });
    flash(req, { kind: 'ok', key: 'parents.unlocked' });
    return reply.redirect(`/admin/parents/${parent.id}`, 303);
  });

  app.post('/parents/:id/remind', { config: act }, async (req, reply) => {
    const id = idOf(req);
    const now = ctx.clock.now();
    const card = await parentCard(ctx.prisma, id, now, ctx.identification);
    if (!card) return reply.code(404).send();
    const queued = card.season ? await resendReminder(ctx.prisma, { season: card.season, parentId: id, now }) : 0;
    await audit(ctx.prisma, actorOf(req), { action: 'parent.remind', objectType: 'parent', objectId: id, after: { queued } });
    flash(req, queued > 0 ? { kind: 'ok', key: 'parents.reminded', params: { count: queued } } : { kind: 'error', key: 'parents.nothingToRemind' });
    return reply.redirect(`/admin/parents/${id}`, 303);
  });

  app.post('/parents/:id/chats/:chat/unlink', { config: act }, async (req, reply) => {
    const id = idOf(req);
    const chatLinkId = Number((req.params as { chat: string }).chat);
    const link = await ctx.prisma.chatLink.findFirst({ where: { id: chatLinkId, parentId: id } });
    if (!link) return reply.code(404).send();
    await inTransaction(ctx.prisma, async (tx) => {
      await tx.chatLink.delete({ where: { id: link.id } });
      // The chat starts over: the next message identifies again.
      await tx.conversationState.deleteMany({ where: { channel: link.channel, chatId: link.chatId } });
    });
    await audit(ctx.prisma, actorOf(req), {
      action: 'parent.unlinkChat',
      objectType: 'parent',
      objectId: id,
      before: { channel: link.channel, locale: link.locale, verifiedAt: link.verifiedAt },
    });
    flash(req, { kind: 'ok', key: 'parents.unlinked', params: { channel: link.channel } });
    return reply.redirect(`/admin/parents/${id}`, 303);
  });
}
