/**
 * Times every statement at the driver adapter, the one place all of Prisma's statements pass
 * (model queries, raw SQL, the statements of interactive transactions), on either database. The
 * tap is filled in after the database opens (the core's metrics come later); until then, and in
 * processes without metrics, statements run untimed.
 */
import type { SqlDriverAdapter, SqlDriverAdapterFactory, SqlQuery, Transaction } from '@prisma/driver-adapter-utils';
import { performance } from 'node:perf_hooks';

export interface StatementTap {
  /** Called with each statement's duration in seconds. */
  observe: ((seconds: number) => void) | null;
}

type Queryable = Pick<SqlDriverAdapter, 'queryRaw' | 'executeRaw'>;

export function timedAdapterFactory(factory: SqlDriverAdapterFactory, tap: StatementTap): SqlDriverAdapterFactory {
  return override(factory, {
    connect: async () => {
      const adapter = await factory.connect();
      return override(adapter, {
        ...timedStatements(adapter, tap),
        startTransaction: async (...args: Parameters<SqlDriverAdapter['startTransaction']>) => {
          const tx = await adapter.startTransaction(...args);
          return override<Transaction>(tx, timedStatements(tx, tap));
        },
      });
    },
  });
}

function timedStatements(target: Queryable, tap: StatementTap): Queryable {
  const timed =
    <R>(run: (q: SqlQuery) => Promise<R>) =>
    async (q: SqlQuery): Promise<R> => {
      const observe = tap.observe;
      if (!observe) return run(q);
      const started = performance.now();
      try {
        return await run(q);
      } finally {
        observe((performance.now() - started) / 1000);
      }
    };
  return { queryRaw: timed((q) => target.queryRaw(q)), executeRaw: timed((q) => target.executeRaw(q)) };
}

/** The object with some methods replaced; everything else (properties, other methods) its own. */
function override<T extends object>(target: T, replaced: Partial<Record<keyof T, unknown>>): T {
  return new Proxy(target, {
    get(t, prop) {
      if (Object.prototype.hasOwnProperty.call(replaced, prop)) return replaced[prop as keyof T];
      const value = Reflect.get(t, prop, t) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(t) : value;
    },
  });
}
