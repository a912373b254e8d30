/**
 * The embedded database's own thread: PGlite (PostgreSQL compiled to WebAssembly) runs each
 * statement synchronously on the thread that calls it, so on the product's thread every query
 * stopped all other chats for its duration. Here it runs beside the product, behind the same
 * Prisma driver adapter (pglite-prisma-adapter), whose calls arrive as messages (./protocol.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import type { DriverAdapterError, SqlDriverAdapter, Transaction } from '@prisma/driver-adapter-utils';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { runScriptsWith } from '../driver-error.ts';
import { preparedStatements } from '../pglite-prepared.ts';
import type { Ready, Reply, Request, ThrownError, Value, WorkerInit } from './protocol.ts';

const port = parentPort!;
const init = workerData as WorkerInit;

/** By shape, as Prisma checks it: pglite-prisma-adapter throws its own copy's DriverAdapterError class. */
function isDriverAdapterError(e: unknown): e is DriverAdapterError {
  return e instanceof Error && e.name === 'DriverAdapterError' && typeof (e as { cause?: unknown }).cause === 'object';
}

function thrown(e: unknown): ThrownError {
  if (isDriverAdapterError(e)) return { driver: e.cause, name: e.name, message: e.message };
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack };
  return { name: 'Error', message: String(e) };
}

interface Opened {
  pglite: PGlite;
  adapter: SqlDriverAdapter;
}

async function open(): Promise<Opened> {
  const pglite = init.dataDir ? await PGlite.create(init.dataDir) : await PGlite.create(init.load ? { loadDataDir: new Blob([init.load]) } : {});
  const prepared = preparedStatements(pglite);
  // The adapter's own executeScript does not await PGlite (a failing migration would pass).
  const adapter = runScriptsWith(await new PrismaPGlite(prepared.client as PGlite).connect(), async (script) => {
    try {
      await pglite.exec(script);
    } finally {
      // A migration may change what a kept statement returns.
      await prepared.forget();
    }
  });
  return { pglite, adapter };
}

async function serve({ pglite, adapter }: Opened): Promise<void> {
  const transactions = new Map<number, Transaction>();
  let nextTx = 1;
  const on = (tx: number | null) => {
    if (tx === null) return adapter;
    const t = transactions.get(tx);
    if (!t) throw new Error(`transaction ${tx} is not open`);
    return t;
  };
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
        transactions.set(id, t);
        return { tx: id, usePhantomQuery: t.options.usePhantomQuery };
      }
      case 'commit':
      case 'rollback': {
        const t = on(req.tx) as Transaction;
        transactions.delete(req.tx);
        await (req.op === 'commit' ? t.commit() : t.rollback());
        return null;
      }
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
