/**
 * The threads a large import stages its pieces on: the file's parsing and validation use the
 * machine's cores side by side, and the process's own thread (the bots, the console) stays free.
 * The pieces go to the thread with the fewest waiting; each thread's answers come back in order.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { EncodingError } from '../encoding.ts';
import type { Piece, StagedPiece, StagePlan } from './piece.ts';
import type { StageReply, StageRequest } from './stage-protocol.ts';
import type { Stager } from './staged-file.ts';

/** Threads for a large file: one per core, at most four (PostgreSQL wants some of the cores too). */
export const defaultStageThreads = (): number => Math.min(4, availableParallelism());

/**
 * A thread's heap: a piece's text and rows are a few megabytes, and a tighter heap is collected
 * sooner. With V8's defaults the two threads of a million-row import held 130 MB more; with V8's
 * default young generation (where each piece's short-lived rows live) the import's peak RSS was
 * 424–508 MB, with 16 MB it is 385–414 MB at the same speed (2026-12-05, docs/performance.md).
 */
const HEAP_MB = 128;
const YOUNG_MB = 16;

interface Pending {
  resolve: (staged: StagedPiece) => void;
  reject: (e: Error) => void;
}

class StageThread {
  readonly pending = new Map<number, Pending>();
  private dead: Error | null = null;

  constructor(readonly worker: Worker) {
    worker.on('message', (reply: StageReply) => {
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (!waiting) return;
      if ('staged' in reply) waiting.resolve(reply.staged);
      else if ('encoding' in reply.error) waiting.reject(new EncodingError(reply.error.encoding.problem, reply.error.encoding.line));
      else waiting.reject(new Error(`an import staging thread failed: ${reply.error.message}`));
    });
    worker.on('error', (e) => this.fail(e));
    worker.on('exit', (code) => this.fail(new Error(`an import staging thread exited (code ${code})`)));
  }

  post(request: StageRequest, pending?: Pending & { id: number }): void {
    if (pending) {
      if (this.dead) {
        pending.reject(this.dead);
        return;
      }
      this.pending.set(pending.id, pending);
    }
    this.worker.postMessage(request);
  }

  private fail(e: Error): void {
    this.dead ??= e;
    for (const p of this.pending.values()) p.reject(this.dead);
    this.pending.clear();
  }
}

export class StageThreads implements Stager {
  readonly ahead: number;
  private nextId = 0;

  private constructor(private readonly threads: StageThread[]) {
    this.ahead = 2 * threads.length;
  }

  /** Starts `count` threads; they load the import's code while the database is prepared. */
  static start(count: number): StageThreads {
    return new StageThreads(
      Array.from(
        { length: count },
        () =>
          new StageThread(
            new Worker(new URL('./stage-entry.mjs', import.meta.url), {
              resourceLimits: { maxOldGenerationSizeMb: HEAP_MB, maxYoungGenerationSizeMb: YOUNG_MB },
            }),
          ),
      ),
    );
  }

  /** The plan every later piece is staged with (sent before the first piece). */
  configure(plan: StagePlan): void {
    for (const t of this.threads) t.post({ plan });
  }

  stage(piece: Piece): Promise<StagedPiece> {
    const thread = this.threads.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const id = this.nextId++;
    return new Promise((resolve, reject) => thread.post({ id, piece }, { id, resolve, reject }));
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }
}
