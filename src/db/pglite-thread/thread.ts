/**
 * The product's side of the embedded database thread (./worker.ts): a Prisma driver adapter whose
 * queries and transactions are carried out there. PGlite's statements run synchronously on the
 * thread that calls them; out here they no longer hold up the other chats' updates.
 */
import { once } from 'node:events';
import type { EventLoopUtilization } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import {
  DriverAdapterError,
  type ConnectionInfo,
  type IsolationLevel,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
  type SqlQuery,
  type SqlResultSet,
  type Transaction,
  type TransactionOptions,
} from '@prisma/driver-adapter-utils';
import type { EngineConnection } from '../migrations/engine-connections.ts';
import type { Ready, Reply, Request, ThrownError, Value, WorkerInit } from './protocol.ts';

type Call = Request extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/** The name pglite-prisma-adapter gives itself: Prisma sees the same adapter it would in-thread. */
const ADAPTER_NAME = 'pglite-prisma-adapter';

function rethrown(e: ThrownError): Error {
  if (e.driver) return new DriverAdapterError(e.driver);
  const err = new Error(e.message);
  err.name = e.name;
  if (e.stack) err.stack = e.stack;
  if (e.code) Object.assign(err, { code: e.code });
  return err;
}

export class PGliteThread {
  private readonly pending = new Map<number, { resolve: (v: Value) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  /** Set once the thread is gone: every later call fails with it. */
  private dead: Error | null = null;
  private closing: Promise<void> | null = null;
  private lost: (err: Error) => void = () => {};
  /**
   * Settles if the thread dies without being closed (PGlite aborted, out of memory): every query
   * fails from then on, so the process should stop and let its supervisor start it again.
   */
  readonly died: Promise<Error> = new Promise((resolve) => (this.lost = resolve));

  private constructor(private readonly worker: Worker) {
    worker.on('message', (reply: Reply) => this.settle(reply));
    worker.on('error', (err) => this.die(err));
    worker.on('exit', (code) => this.die(new Error(`the embedded database thread exited (code ${code})`)));
    // An idle database does not keep the process alive; a query waiting for its answer does.
    worker.unref();
  }

  /** Starts the thread and opens the database there; rejects with the reason it could not open. */
  static async start(init: WorkerInit): Promise<PGliteThread> {
    const worker = new Worker(new URL('./entry.mjs', import.meta.url), { workerData: init });
    const failed = (message: string): [Ready] => [{ ready: false, error: { name: 'Error', message } }];
    const [ready] = (await Promise.race([
      once(worker, 'message'),
      once(worker, 'error').then(([e]) => failed(String(e))),
      once(worker, 'exit').then(([code]) => failed(`the embedded database thread exited while opening (code ${String(code)})`)),
    ])) as [Ready];
    if (!ready.ready) {
      await worker.terminate();
      throw rethrown(ready.error);
    }
    return new PGliteThread(worker);
  }

  /** The thread's busy time (PGlite's CPU), for the benchmarks. */
  eventLoopUtilization(since?: EventLoopUtilization): EventLoopUtilization {
    return since ? this.worker.performance.eventLoopUtilization(since) : this.worker.performance.eventLoopUtilization();
  }

  /** `transfer`: buffers of the request moved to the thread rather than copied (unusable here afterwards). */
  call(req: Call, transfer: ArrayBuffer[] = []): Promise<Value> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    if (this.pending.size === 0) this.worker.ref();
    return new Promise<Value>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...req, id } as Request, transfer);
    });
  }

  private settle(reply: Reply): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0 && !this.closing) this.worker.unref();
    if (reply.ok) p.resolve(reply.value);
    else p.reject(rethrown(reply.error));
  }

  private die(err: Error): void {
    if (!this.dead && !this.closing) this.lost(err);
    this.dead ??= err;
    for (const p of this.pending.values()) p.reject(this.dead);
    this.pending.clear();
  }

  /** Closes PGlite (its files are complete once this resolves) and ends the thread. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.dead) return;
      const exited = once(this.worker, 'exit');
      // Held until the thread has exited (PGlite writes its last pages on close): with nothing
      // else left to do, the process would otherwise end first and skip what follows the close.
      this.worker.ref();
      try {
        await this.call({ op: 'close' });
      } catch {
        await this.worker.terminate();
      }
      await exited;
    })();
    return this.closing;
  }

  adapterFactory(): SqlMigrationAwareDriverAdapterFactory {
    return {
      provider: 'postgres',
      adapterName: ADAPTER_NAME,
      connect: async () => new ThreadAdapter(this),
      connectToShadowDb: () => Promise.reject(new Error('Shadow databases are not used here: new migrations are diffed on a throwaway PGlite.')),
    };
  }

  /** For the migrations, which run through the same thread before the app's client opens. */
  engineConnection(): EngineConnection {
    return { factory: this.adapterFactory(), waitForMigrationLock: async () => {}, close: async () => {} };
  }
}

class ThreadQueryable {
  readonly provider = 'postgres' as const;
  readonly adapterName = ADAPTER_NAME;
  constructor(
    protected readonly thread: PGliteThread,
    protected readonly tx: number | null,
  ) {}
  async queryRaw(query: SqlQuery): Promise<SqlResultSet> {
    return (await this.thread.call({ op: 'query', tx: this.tx, query })) as SqlResultSet;
  }
  async executeRaw(query: SqlQuery): Promise<number> {
    return (await this.thread.call({ op: 'execute', tx: this.tx, query })) as number;
  }
}

class ThreadTransaction extends ThreadQueryable implements Transaction {
  constructor(
    thread: PGliteThread,
    tx: number,
    readonly options: TransactionOptions,
  ) {
    super(thread, tx);
  }
  async commit(): Promise<void> {
    await this.thread.call({ op: 'commit', tx: this.tx! });
  }
  async rollback(): Promise<void> {
    await this.thread.call({ op: 'rollback', tx: this.tx! });
  }
}

class ThreadAdapter extends ThreadQueryable implements SqlDriverAdapter {
  constructor(thread: PGliteThread) {
    super(thread, null);
  }
  async executeScript(script: string): Promise<void> {
    await this.thread.call({ op: 'script', script });
  }
  async startTransaction(isolationLevel?: IsolationLevel): Promise<Transaction> {
    const t = (await this.thread.call(isolationLevel ? { op: 'begin', isolationLevel } : { op: 'begin' })) as { tx: number; usePhantomQuery: boolean };
    return new ThreadTransaction(this.thread, t.tx, { usePhantomQuery: t.usePhantomQuery });
  }
  getConnectionInfo(): ConnectionInfo {
    return { supportsRelationJoins: true };
  }
  async dispose(): Promise<void> {}
}
