/**
 * The inbox: parents' conversations with the department. Everyone reads (personal data masked by
 * role); operators and admins answer, take and close; admins keep the canned replies. Every reply,
 * close, assignment, template and file opened is in the audit log. The list and the open
 * conversation refresh themselves when anything changes (server-sent events, inbox/events.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SUPPORT_TEXT_MAX } from '../../conversation/core/support-rules.ts';
import { maskIin, maskName, maskPhone } from '../../domain/mask.ts';
import { EXTENSION, type KnownFileType } from '../../domain/file-type.ts';
import { assignThread, closeThread, newReplyKey, queueAnswerTemplate, replyToThread } from '../../services/support.ts';
import { audit } from '../audit.ts';
import { can } from '../auth/roles.ts';
import { actorOf, field, flash, type PageContext } from '../context.ts';
import { cannedReplies, inboxCursor, INBOX_FILTERS, listThreads, threadView, type InboxFilter } from '../inbox/data.ts';
import { InboxEvents } from '../inbox/events.ts';

const TITLE_MAX = 100;

export function registerInbox(app: FastifyInstance, ctx: PageContext): void {
  const events = new InboxEvents(() => inboxCursor(ctx.prisma), ctx.logger);
  app.addHook('preClose', (done) => {
    events.closeAll();
    done();
  });
  const open = (req: FastifyRequest) => req.operator !== null && can(req.operator.role, 'personalData');
  const masker = (req: FastifyRequest) => {
    const o = open(req);
    return { iin: (v: string) => (o ? v : maskIin(v)), phone: (v: string) => (o ? v : maskPhone(v)), name: (v: string) => (o ? v : maskName(v)) };
  };
  const idOf = (req: FastifyRequest) => Number((req.params as { id: string }).id);
  const filterOf = (req: FastifyRequest): InboxFilter => {
    const f = (req.query as Record<string, string | undefined>).filter;
    return (INBOX_FILTERS as string[]).includes(f ?? '') ? (f as InboxFilter) : 'waiting';
  };
  const read = { permission: 'inbox' as const };
  const act = { permission: 'support.act' as const };
  const back = (reply: FastifyReply, id: number) => reply.redirect(`/admin/inbox/${id}`, 303);

  const list = async (req: FastifyRequest) => {
    const filter = filterOf(req);
    // The cursor first: a change after it shows up by the page's events, never lost between the two reads.
    const cursor = await inboxCursor(ctx.prisma);
    const threads = await listThreads(ctx.prisma, filter, req.operator!.id);
    return { filter, filters: INBOX_FILTERS, threads, cursor, mask: masker(req), now: ctx.clock.now() };
  };
  app.get('/inbox', { config: read }, async (req, reply) => ctx.render(req, reply, { view: 'inbox', title: 'inbox.title', data: await list(req) }));
  app.get('/inbox/list', { config: read }, async (req, reply) => ctx.render(req, reply, { view: 'inbox-list', title: 'inbox.title', data: await list(req) }));

  app.get('/inbox/events', { config: read }, (req, reply) => {
    const since = (req.query as Record<string, string | undefined>).since;
    reply.hijack();
    events.open(reply.raw, typeof since === 'string' && /^[\d.]{1,60}$/.test(since) ? since : null);
  });

  // ——— canned replies ———

  app.get('/inbox/canned', { config: { permission: 'canned' } }, async (req, reply) =>
    ctx.render(req, reply, { view: 'inbox-canned', title: 'inbox.canned.title', data: { replies: await cannedReplies(ctx.prisma), max: SUPPORT_TEXT_MAX } }),
  );

  app.post('/inbox/canned', { config: { permission: 'canned' } }, async (req, reply) => {
    const id = Number(field(req, 'id')) || null;
    const locale = field(req, 'locale');
    const title = field(req, 'title').trim();
    const body = field(req, 'body').trim();
    if ((locale !== 'kk' && locale !== 'ru') || !title || title.length > TITLE_MAX || !body || body.length > SUPPORT_TEXT_MAX) {
      flash(req, { kind: 'error', key: 'inbox.canned.invalid', params: { max: SUPPORT_TEXT_MAX } });
      return reply.redirect('/admin/inbox/canned', 303);
    }
    const by = req.operator!.username;
    const before = id ? await ctx.prisma.cannedReply.findUnique({ where: { id } }) : null;
    if (id && !before) return reply.code(404).send();
    const saved = before
      ? await ctx.prisma.cannedReply.update({ where: { id: before.id }, data: { locale, title, body, updatedBy: by } })
      : await ctx.prisma.cannedReply.create({ data: { locale, title, body, updatedBy: by } });
    await audit(ctx.prisma, actorOf(req), {
      action: before ? 'canned.update' : 'canned.create',
      objectType: 'cannedReply',
      objectId: saved.id,
      ...(before ? { before: { locale: before.locale, title: before.title, body: before.body } } : {}),
      after: { locale, title, body },
    });
    flash(req, { kind: 'ok', key: 'inbox.canned.saved', params: { title } });
    return reply.redirect('/admin/inbox/canned', 303);
  });

  app.post('/inbox/canned/:id/delete', { config: { permission: 'canned' } }, async (req, reply) => {
    const before = await ctx.prisma.cannedReply.findUnique({ where: { id: idOf(req) } });
    if (!before) return reply.code(404).send();
    await ctx.prisma.cannedReply.delete({ where: { id: before.id } });
    await audit(ctx.prisma, actorOf(req), {
      action: 'canned.delete',
      objectType: 'cannedReply',
      objectId: before.id,
      before: { locale: before.locale, title: before.title },
    });
    flash(req, { kind: 'ok', key: 'inbox.canned.deleted', params: { title: before.title } });
    return reply.redirect('/admin/inbox/canned', 303);
  });

  // ——— one conversation ———

  const view = async (req: FastifyRequest, extra: Record<string, unknown> = {}) => {
    const cursor = await inboxCursor(ctx.prisma);
    const v = await threadView(ctx.prisma, idOf(req), ctx.clock.now());
    if (!v) return null;
    const canned = await cannedReplies(ctx.prisma, v.thread.locale);
    return {
      ...v,
      canned,
      cursor,
      mask: masker(req),
      personal: open(req),
      replyKey: newReplyKey(),
      max: SUPPORT_TEXT_MAX,
      draft: '',
      collision: null,
      ...extra,
    };
  };
  const notFound = (req: FastifyRequest, reply: FastifyReply) =>
    ctx.render(req, reply, { view: 'error', title: 'error.notFoundTitle', data: { message: 'inbox.notFound' }, status: 404 });

  app.get('/inbox/:id', { config: read }, async (req, reply) => {
    const data = await view(req);
    if (!data) return notFound(req, reply);
    return ctx.render(req, reply, { view: 'inbox-thread', title: 'inbox.threadTitle', data });
  });

  app.get('/inbox/:id/messages', { config: read }, async (req, reply) => {
    const data = await view(req);
    if (!data) return notFound(req, reply);
    return ctx.render(req, reply, { view: 'inbox-messages', title: 'inbox.threadTitle', data });
  });

  app.post('/inbox/:id/reply', { config: act }, async (req, reply) => {
    const id = idOf(req);
    const text = field(req, 'text').trim();
    const replyKey = field(req, 'replyKey');
    if (!text || text.length > SUPPORT_TEXT_MAX || !/^[0-9a-f-]{36}$/.test(replyKey)) {
      flash(req, { kind: 'error', key: text ? 'inbox.tooLong' : 'inbox.empty', params: { max: SUPPORT_TEXT_MAX } });
      return back(reply, id);
    }
    const now = ctx.clock.now();
    const result = await replyToThread(ctx.prisma, {
      threadId: id,
      operatorId: req.operator!.id,
      text,
      replyKey,
      seenMessageId: Number(field(req, 'seen')) || 0,
      force: field(req, 'force') === '1',
      now,
    });
    switch (result.status) {
      case 'collision': {
        // Shown before anything goes: the other answer, this one kept in the box, a choice to send anyway.
        const data = await view(req, { draft: text, collision: result.other, replyKey });
        if (!data) return notFound(req, reply);
        return ctx.render(req, reply, { view: 'inbox-thread', title: 'inbox.threadTitle', data, status: 409 });
      }
      case 'closed':
        flash(req, { kind: 'error', key: 'inbox.alreadyClosed' });
        return back(reply, id);
      case 'duplicate':
        flash(req, { kind: 'ok', key: 'inbox.alreadySent' });
        return back(reply, id);
      case 'sent': {
        const withTemplate = field(req, 'template') === '1' ? await queueAnswerTemplate(ctx.prisma, id, now) : false;
        await audit(ctx.prisma, actorOf(req), {
          action: 'support.reply',
          objectType: 'supportThread',
          objectId: id,
          after: { messageId: result.messageId, template: withTemplate },
        });
        flash(req, { kind: 'ok', key: withTemplate ? 'inbox.sentWithTemplate' : 'inbox.sent' });
        return back(reply, id);
      }
    }
  });

  app.post('/inbox/:id/template', { config: act }, async (req, reply) => {
    const id = idOf(req);
    const queued = await queueAnswerTemplate(ctx.prisma, id, ctx.clock.now());
    if (queued) await audit(ctx.prisma, actorOf(req), { action: 'support.template', objectType: 'supportThread', objectId: id });
    flash(req, queued ? { kind: 'ok', key: 'inbox.templateQueued' } : { kind: 'error', key: 'inbox.templateToday' });
    return back(reply, id);
  });

  app.post('/inbox/:id/assign', { config: act }, async (req, reply) => {
    const id = idOf(req);
    const to = field(req, 'to') === 'none' ? null : req.operator!.id;
    if (!(await assignThread(ctx.prisma, id, to))) return notFound(req, reply);
    await audit(ctx.prisma, actorOf(req), {
      action: 'support.assign',
      objectType: 'supportThread',
      objectId: id,
      after: { assignedTo: to === null ? null : req.operator!.username },
    });
    flash(req, { kind: 'ok', key: to === null ? 'inbox.released' : 'inbox.assigned' });
    return back(reply, id);
  });

  app.post('/inbox/:id/close', { config: act }, async (req, reply) => {
    const id = idOf(req);
    const closed = await closeThread(ctx.prisma, id, req.operator!.id, ctx.clock.now());
    if (!closed) {
      flash(req, { kind: 'error', key: 'inbox.alreadyClosed' });
      return back(reply, id);
    }
    await audit(ctx.prisma, actorOf(req), { action: 'support.close', objectType: 'supportThread', objectId: id });
    flash(req, { kind: 'ok', key: 'inbox.closed' });
    return reply.redirect('/admin/inbox', 303);
  });

  // A document a parent sent is personal data: only roles that see it may open it, and it is served
  // as the type its bytes were checked to be, in a sandbox, never as a page of this site.
  app.get('/inbox/:id/files/:message', { config: { permission: 'personalData' } }, async (req, reply) => {
    const messageId = Number((req.params as { message: string }).message);
    const m = await ctx.prisma.supportMessage.findFirst({
      where: { id: messageId, threadId: idOf(req) },
      select: { id: true, fileData: true, fileMime: true },
    });
    if (!m?.fileData || !m.fileMime || !(m.fileMime in EXTENSION)) return notFound(req, reply);
    await audit(ctx.prisma, actorOf(req), { action: 'support.file', objectType: 'supportMessage', objectId: m.id });
    const ext = EXTENSION[m.fileMime as KnownFileType];
    const disposition = m.fileMime === 'application/pdf' ? 'attachment' : 'inline';
    return reply
      .type(m.fileMime)
      .header('content-disposition', `${disposition}; filename="support-${m.id}.${ext}"`)
      .header('content-security-policy', "default-src 'none'; img-src 'self'; sandbox")
      .header('cache-control', 'private, no-store')
      .send(Buffer.from(m.fileData));
  });
}
