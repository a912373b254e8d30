/**
 * The embedded database's own thread: PGlite (PostgreSQL compiled to WebAssembly) runs each
 * statement synchronously on the thread that calls it, so on the product's thread every query
 * stopped all other chats for its duration. Here it runs beside the product, behind the same
 * Prisma driver adapter (pglite-prisma-adapter), whose calls arrive as messages (./protocol.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, type Transaction as PGliteTransaction } from '@electric-sql/pglite';
import type { DriverAdapterError, SqlDriverAdapter, Transaction } from '@prisma/driver-adapter-utils';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { runScriptsWith } from '../driver-error.ts';
import { type PreparedPGlite, preparedStatements } from '../pglite-prepared.ts';
import type { Ready, Reply, Request, ThrownError, Value, WorkerInit } from './protocol.ts';

const port = parentPort!;
const init = workerData as WorkerInit;

/** By shape, as Prisma checks it: pglite-prisma-adapter throws its own copy's DriverAdapterError class. */
function isDriverAdapterError(e: unknown): e is DriverAdapterError {
  return e instanceof Error && e.name === 'DriverAdapterError' && typeof (e as { cause?: unknown }).cause === 'object';
}

function thrown(e: unknown): ThrownError {
  if (isDriverAdapterError(e)) return { driver: e.cause, name: e.name, message: e.message };
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return { ...(typeof code === 'string' ? { code } : {}), name: e.name, message: e.message, stack: e.stack };
  }
  return { name: 'Error', message: String(e) };
}

interface Opened {
  pglite: PGlite;
  adapter: SqlDriverAdapter;
  /** PGlite's transaction (its queries kept prepared, ../pglite-prepared.ts) under the adapter's that has just opened. */
  justOpened(): PGliteTransaction;
}

async function open(): Promise<Opened> {
  const pglite = init.dataDir ? await PGlite.create(init.dataDir) : await PGlite.create(init.load ? { loadDataDir: new Blob([init.load]) } : {});
  const prepared = preparedStatements(pglite);
  // The adapter keeps PGlite's transaction to itself, and the import's requests (`sql`, `copy`)
  // need it: it is noted here as it opens. PGlite runs one transaction at a time, so the one noted
  // when the adapter's startTransaction returns is that transaction's.
  let opened: PGliteTransaction | null = null;
  const client: PreparedPGlite = {
    ...prepared.client,
    transaction: (callback) =>
      prepared.client.transaction((tx) => {
        opened = tx;
        return callback(tx);
      }),
  };
  const justOpened = () => {
    const tx = opened;
    opened = null;
    if (!tx) throw new Error('no PGlite transaction was opened');
    return tx;
  };
  // The adapter's own executeScript does not await PGlite (a failing migration would pass).
  const adapter = runScriptsWith(await new PrismaPGlite(client as PGlite).connect(), async (script) => {
    try {
      await pglite.exec(script);
    } finally {
      // A migration may change what a kept statement returns.
      await prepared.forget();
    }
  });
  return { pglite, adapter, justOpened };
}

async function serve({ pglite, adapter, justOpened }: Opened): Promise<void> {
  /** Each open transaction: the adapter's, and PGlite's own under it (for `sql` and `copy`). */
  const transactions = new Map<number, { t: Transaction; own: PGliteTransaction }>();
  let nextTx = 1;
  const find = (tx: number) => {
    const t = transactions.get(tx);
    if (!t) throw new Error(`transaction ${tx} is not open`);
    return t;
  };
  const on = (tx: number | null) => (tx === null ? adapter : find(tx).t);
  const run = async (req: Request): Promise<Value> => {
    switch (req.op) {
      case 'query':
        return on(req.tx).queryRaw(req.query);
      case 'execute':
        return on(req.tx).executeRaw(req.query);
      case 'script':
        await adapter.executeScript(req.script);
        return null;
      case 'begin': {
        const t = await adapter.startTransaction(req.isolationLevel);
        const id = nextTx++;
        transactions.set(id, { t, own: justOpened() });
        return { tx: id, usePhantomQuery: t.options.usePhantomQuery };
      }
      case 'commit':
      case 'rollback': {
        const { t } = find(req.tx);
        transactions.delete(req.tx);
        await (req.op === 'commit' ? t.commit() : t.rollback());
        return null;
      }
      // Inside the transaction, so nothing of another caller's runs between these and its other
      // statements: PGlite holds every other query and transaction until this one ends.
      case 'sql':
        return (await find(req.tx).own.query<Record<string, unknown>>(req.text, req.params)).rows;
      case 'copy':
        // PGlite's own exec (the kept statements' query knows no blob) feeds the blob to /dev/blob.
        await find(req.tx).own.exec(`COPY ${req.table} (${req.columns.join(', ')}) FROM '/dev/blob'`, { blob: new Blob([req.data]) });
        return null;
      case 'close':
        await pglite.close();
        return null;
    }
  };
  port.on('message', (req: Request) => {
    run(req).then(
      (value) => {
        port.postMessage({ id: req.id, ok: true, value } satisfies Reply);
        if (req.op === 'close') port.close();
      },
      (e: unknown) => port.postMessage({ id: req.id, ok: false, error: thrown(e) } satisfies Reply),
    );
  });
}

open().then(
  (opened) => {
    void serve(opened);
    port.postMessage({ ready: true } satisfies Ready);
  },
  (e: unknown) => port.postMessage({ ready: false, error: thrown(e) } satisfies Ready),
);
