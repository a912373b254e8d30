/** Registry import: upload, see the check (accepted, rejected with line and reason), then apply; progress while either runs. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { ImportKindName } from '../../import/kind.ts';
import { IMPORT_KINDS } from '../../import/kinds/index.ts';
import { registryReach } from '../../import/kind.ts';
import { audit } from '../audit.ts';
import { actorOf, field, type PageContext } from '../context.ts';
import { ImportJobs, type ImportJob } from '../imports/jobs.ts';

const KINDS = Object.keys(IMPORT_KINDS) as ImportKindName[];
const summary = (job: ImportJob, phase: 'check' | 'apply') => {
  const r = job[phase];
  if (!r) return null;
  const rows = { rows: r.rows, written: r.written, rejected: r.rejectedCount, committed: r.committed };
  // What an applied applications file changed for parents (a check rolls back before the merge).
  return phase === 'apply' && job.kind === 'applications' ? { ...rows, events: r.events, notices: r.notices } : rows;
};

export function registerImports(app: FastifyInstance, ctx: PageContext): void {
  const jobs = new ImportJobs(
    ctx.importTarget ?? ctx.prisma,
    ctx.workDir,
    (err, job) => ctx.logger.error({ err, job: job.id, kind: job.kind }, 'console: an import failed'),
    registryReach(ctx.reach),
  );
  const config = { permission: 'imports' as const };
  const jobOf = (req: FastifyRequest) => jobs.get((req.params as { id: string }).id);
  const show = (req: FastifyRequest, reply: FastifyReply, job: ImportJob, view: 'import' | 'import-live') =>
    ctx.render(req, reply, {
      view,
      title: 'imports.jobTitle',
      data: { job, running: job.state === 'checking' || job.state === 'applying', percent: Math.round(job.progress * 100) },
    });

  app.get('/imports', { config }, (req, reply) =>
    ctx.render(req, reply, {
      view: 'imports',
      title: 'imports.title',
      data: { kinds: KINDS, jobs: jobs.recent(), error: (req.query as Record<string, string>).error ?? null },
    }),
  );

  app.post('/imports', { config }, async (req, reply) => {
    const upload = await req.file();
    const kind = (upload?.fields.kind as { value?: unknown } | undefined)?.value;
    if (!upload || typeof kind !== 'string' || !(KINDS as string[]).includes(kind) || upload.filename === '') {
      upload?.file.resume();
      return reply.redirect('/admin/imports?error=imports.errors.form', 303);
    }
    const now = ctx.clock.now();
    const { job, file } = await jobs.create(kind as ImportKindName, upload.filename.slice(0, 200), req.operator!.username, now);
    try {
      await pipeline(upload.file, createWriteStream(file, { mode: 0o600 }));
    } catch (err) {
      // The upload broke off: the job is over, its partial file goes with the next clean-up.
      job.state = 'failed';
      throw err;
    }
    if (upload.file.truncated) {
      job.state = 'failed';
      job.problem = null;
      return reply.redirect('/admin/imports?error=error.tooLarge', 303);
    }
    await audit(ctx.prisma, actorOf(req), { action: 'import.check', objectType: 'import', objectId: job.id, after: { kind: job.kind, file: job.fileName } });
    jobs.startCheck(job, async () => {});
    return reply.redirect(`/admin/imports/${job.id}`, 303);
  });

  app.get('/imports/:id', { config }, (req, reply) => {
    const job = jobOf(req);
    return job ? show(req, reply, job, 'import') : reply.callNotFound();
  });

  app.get('/imports/:id/live', { config }, (req, reply) => {
    const job = jobOf(req);
    return job ? show(req, reply, job, 'import-live') : reply.callNotFound();
  });

  app.get('/imports/:id/rejected.csv', { config }, (req, reply) => {
    const job = jobOf(req);
    const phase = (req.query as Record<string, string>).phase === 'apply' ? 'apply' : 'check';
    if (!job?.[phase]) return reply.callNotFound();
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${job.kind}-${phase}.rejected.csv"`)
      .send(createReadStream(jobs.rejections(job.id, phase)));
  });

  app.post('/imports/:id/apply', { config }, async (req, reply) => {
    const job = jobOf(req);
    if (!job) return reply.callNotFound();
    if (job.state !== 'checked' || !job.check || job.check.written === 0) return reply.redirect(`/admin/imports/${job.id}`, 303);
    const partial = field(req, 'partial') === 'yes';
    // All or nothing unless the operator chose to keep the good rows.
    if (job.check.rejectedCount > 0 && !partial) return reply.redirect(`/admin/imports/${job.id}`, 303);
    // Taken before anything is awaited: a second click, or a second operator, finds it applying.
    job.state = 'applying';
    const actor = actorOf(req);
    await audit(ctx.prisma, actor, {
      action: 'import.apply',
      objectType: 'import',
      objectId: job.id,
      after: { kind: job.kind, file: job.fileName, partial, checked: summary(job, 'check') },
    });
    jobs.startApply(job, partial, async (done) => {
      ctx.figures.forget('');
      await audit(ctx.prisma, actor, {
        action: 'import.applied',
        objectType: 'import',
        objectId: done.id,
        after: { kind: done.kind, state: done.state, result: summary(done, 'apply') },
      });
    });
    return reply.redirect(`/admin/imports/${job.id}`, 303);
  });
}
