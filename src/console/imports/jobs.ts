/**
 * Registry files uploaded in the console: each is checked first (the import's own code, rolled
 * back), shown to the operator, and applied only when the operator says so — in the background,
 * its progress readable while it runs. The files live in the work directory; the jobs in this
 * process (an upload is applied by the instance that received it: behind a load balancer, keep the
 * console's sessions sticky).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ImportTarget } from '../../import/staging/connect.ts';
import type { RegistryReach } from '../../import/kind.ts';
import type { ImportKindName } from '../../import/kind.ts';
import { IMPORT_KINDS } from '../../import/kinds/index.ts';
import { ImportFileError, runImport, type ImportResult } from '../../import/run-import.ts';

export type JobState = 'checking' | 'checked' | 'applying' | 'applied' | 'failed';

export interface ImportJob {
  id: string;
  kind: ImportKindName;
  fileName: string;
  uploadedBy: string;
  createdAt: Date;
  state: JobState;
  /** 0–1 while checking or applying. */
  progress: number;
  check: ImportResult | null;
  apply: ImportResult | null;
  /** A file the import cannot read at all (encoding, header): said in the operator's words. */
  problem: string | null;
  partial: boolean;
}

/** Rejections shown on the page; the downloadable report has them all. */
export const SHOWN_REJECTIONS = 100;
/** Jobs older than this are forgotten and their files removed. */
const KEEP_MS = 24 * 3_600_000;

export class ImportJobs {
  private readonly jobs = new Map<string, ImportJob>();

  constructor(
    private readonly target: ImportTarget,
    private readonly dir: string,
    private readonly onError: (err: unknown, job: ImportJob) => void,
    /** Where a referral for a parent without a chat may go (the campaign's reach settings). */
    private readonly reach: RegistryReach = { whatsapp: false, sms: false },
  ) {}

  get(id: string): ImportJob | null {
    return /^[a-f0-9]{24}$/.test(id) ? (this.jobs.get(id) ?? null) : null;
  }

  recent(): ImportJob[] {
    return [...this.jobs.values()].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime()).slice(0, 20);
  }

  /** A fresh job and the path its upload is written to. */
  async create(kind: ImportKindName, fileName: string, uploadedBy: string, now: Date): Promise<{ job: ImportJob; file: string }> {
    await this.forgetOld(now);
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const id = randomBytes(12).toString('hex');
    const job: ImportJob = {
      id,
      kind,
      fileName,
      uploadedBy,
      createdAt: now,
      state: 'checking',
      progress: 0,
      check: null,
      apply: null,
      problem: null,
      partial: false,
    };
    this.jobs.set(id, job);
    return { job, file: this.input(id) };
  }

  input(id: string): string {
    return path.join(this.dir, `${id}.csv`);
  }

  rejections(id: string, phase: 'check' | 'apply'): string {
    return path.join(this.dir, `${id}.${phase}.rejected.csv`);
  }

  /** The dry run in the background: every row checked as the import would, nothing kept. */
  startCheck(job: ImportJob, onDone: (job: ImportJob) => Promise<void>): void {
    void this.run(job, 'check', false).then(() => onDone(job));
  }

  /** Applies a checked file in the background; the page follows its progress. */
  startApply(job: ImportJob, partial: boolean, onDone: (job: ImportJob) => Promise<void>): void {
    job.state = 'applying';
    job.progress = 0;
    job.partial = partial;
    void this.run(job, 'apply', partial).then(() => onDone(job));
  }

  private async run(job: ImportJob, phase: 'check' | 'apply', partial: boolean): Promise<void> {
    try {
      const result = await runImport(this.target, IMPORT_KINDS[job.kind], {
        file: this.input(job.id),
        dryRun: phase === 'check',
        partial,
        reportFile: this.rejections(job.id, phase),
        keepRejections: SHOWN_REJECTIONS,
        onProgress: (f) => (job.progress = f),
        reach: this.reach,
      });
      job[phase] = result;
      job.state = phase === 'check' ? 'checked' : 'applied';
    } catch (e) {
      job.state = 'failed';
      job.problem = e instanceof ImportFileError ? e.message : null;
      if (!(e instanceof ImportFileError)) this.onError(e, job);
    } finally {
      job.progress = 1;
    }
  }

  private async forgetOld(now: Date): Promise<void> {
    for (const job of this.jobs.values()) {
      if (now.getTime() - job.createdAt.getTime() < KEEP_MS || job.state === 'applying' || job.state === 'checking') continue;
      this.jobs.delete(job.id);
      for (const f of [this.input(job.id), this.rejections(job.id, 'check'), this.rejections(job.id, 'apply')]) await rm(f, { force: true });
    }
  }
}
