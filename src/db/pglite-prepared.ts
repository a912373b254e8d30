/**
 * PGlite for pglite-prisma-adapter with every statement kept prepared.
 *
 * PGlite's own `query` parses, plans and describes each statement anew in six calls into the
 * WebAssembly Postgres (parse, describe statement, bind, describe portal, execute, sync): about
 * 0.9 ms for the conversation's upsert on this machine. The product sends the same few statements
 * thousands of times, so here each SQL text is parsed once as a named statement (its parameter
 * types remembered), and every later run is one call of bind, describe, execute and sync: about
 * 0.25 ms. Values are serialized and rows parsed by PGlite's own serializers and parsers, by the
 * same parameter and column types, so results and errors are those of `PGlite.query`.
 *
 * It takes PGlite's own locks through `_checkReady` and `_runExclusiveTransaction`, declared by its
 * BasePGlite but underscored: the version is pinned, and test/db/pglite-prepared.test.ts (side by
 * side with `PGlite.query`, transactions one at a time) is what an upgrade has to pass.
 */
import { parse, protocol, type ParserOptions, type PGlite, type QueryOptions, type Results, type Transaction } from '@electric-sql/pglite';
import { concatBytes } from '../bytes.ts';

/** What pglite-prisma-adapter calls on its client. */
export type PreparedPGlite = Pick<PGlite, 'query' | 'exec' | 'transaction'>;

export interface PreparedStatements {
  /** Hand this to `new PrismaPGlite(...)`. */
  client: PreparedPGlite;
  /** Drops every prepared statement: after DDL a kept statement could return columns that no longer exist. */
  forget(): Promise<void>;
  /** How many statements are prepared now. */
  readonly size: number;
}

type Parsers = PGlite['parsers'];

interface Statement {
  name: string;
  paramTypes: number[];
}

/** PostgreSQL's answers when a kept statement no longer fits the schema or was deallocated by SQL. */
const STALE_STATEMENT = new Set(['0A000', '26000']);

const { serialize } = protocol;

/** `capacity`: statements kept, the least recently used closed beyond it (ad-hoc SQL must not grow the session). */
export function preparedStatements(pglite: PGlite, capacity = 256): PreparedStatements {
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  const statements = new Map<string, Statement>();
  let counter = 0;

  const exchange = async (...messages: Uint8Array[]) => (await pglite.execProtocol(concatBytes(messages), { syncToFs: false })).messages;

  // Statements dropped from the map but still allocated in the session; closed outside a
  // transaction (an aborted one refuses every message until its rollback).
  const orphans: string[] = [];
  const closeOrphans = async () => {
    if (orphans.length === 0) return;
    const names = orphans.splice(0);
    await exchange(...names.map((name) => serialize.close({ type: 'S', name })), serialize.sync());
  };

  const prepare = async (key: string, text: string, types: number[] | undefined): Promise<Statement> => {
    const name = `kq_${++counter}`;
    const described = await exchange(serialize.parse({ name, text, types }), serialize.describe({ type: 'S', name }), serialize.sync());
    const statement = { name, paramTypes: parse.parseDescribeStatementResults(described) };
    statements.set(key, statement);
    if (statements.size > capacity) {
      const [oldest, evicted] = statements.entries().next().value!;
      statements.delete(oldest);
      await exchange(serialize.close({ type: 'S', name: evicted.name }), serialize.sync());
    }
    return statement;
  };

  // PGlite's parseResults spreads its hundreds of parsers into a new object on every query that
  // brings its own (the adapter's do): here they are looked up through the prototype chain instead,
  // made once per parsers object and following any later change to PGlite's.
  const merged = new WeakMap<ParserOptions, Parsers>();
  const withDefaults = (own: ParserOptions): Parsers => {
    let view = merged.get(own);
    if (!view) {
      view = Object.assign(Object.create(pglite.parsers) as Parsers, own);
      merged.set(own, view);
    }
    return view;
  };

  const execute = async <T>(text: string, params: unknown[], options: QueryOptions | undefined): Promise<Results<T>> => {
    const key = keyOf(text, options);
    let statement = statements.get(key);
    if (statement) {
      statements.delete(key);
      statements.set(key, statement);
    } else {
      statement = await prepare(key, text, options?.paramTypes);
    }
    const values = params.map((param, i) => {
      if (param === null || param === undefined) return null;
      const oid = statement.paramTypes[i]!;
      const toText = options?.serializers?.[oid] ?? pglite.serializers[oid];
      return toText ? toText(param) : String(param);
    });
    const messages = await exchange(
      serialize.bind({ statement: statement.name, values }),
      serialize.describe({ type: 'P' }),
      serialize.execute({}),
      serialize.sync(),
    );
    const parsers = options?.parsers ? withDefaults(options.parsers) : pglite.parsers;
    return parse.parseResults(messages, parsers, { ...options, parsers: undefined })[0] as Results<T>;
  };

  /** In a transaction a stale statement has already aborted it: only a lone statement can be retried. */
  const run = async <T>(text: string, params: unknown[], options: QueryOptions | undefined, inTransaction: boolean): Promise<Results<T>> => {
    try {
      return await execute<T>(text, params, options);
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      const key = keyOf(text, options);
      const stale = statements.get(key);
      if (typeof code !== 'string' || !STALE_STATEMENT.has(code) || !stale) throw withQuery(e, text, params, options);
      statements.delete(key);
      orphans.push(stale.name);
      if (inTransaction) throw withQuery(e, text, params, options);
      try {
        await closeOrphans();
        return await execute<T>(text, params, options);
      } catch (again) {
        throw withQuery(again, text, params, options);
      }
    }
  };

  const client: PreparedPGlite = {
    async query<T>(text: string, params: unknown[] = [], options?: QueryOptions): Promise<Results<T>> {
      await pglite._checkReady();
      // As PGlite's own query: no statement runs inside another caller's transaction.
      return pglite._runExclusiveTransaction(() =>
        pglite.runExclusive(async () => {
          await closeOrphans();
          const result = await run<T>(text, params, options, false);
          await pglite.syncToFs();
          return result;
        }),
      );
    },
    exec: (text, options) => pglite.exec(text, options),
    transaction: <T>(callback: (tx: Transaction) => Promise<T>) =>
      pglite.transaction((tx) =>
        callback({
          ...tx,
          query: async <R>(text: string, params: unknown[] = [], options?: QueryOptions) => {
            if (tx.closed) throw new Error('Transaction is closed');
            return pglite.runExclusive(() => run<R>(text, params, options, true));
          },
          rollback: () => tx.rollback(),
          get closed() {
            return tx.closed;
          },
        }),
      ),
  };

  return {
    client,
    async forget() {
      statements.clear();
      orphans.length = 0;
      await pglite.exec('DEALLOCATE ALL');
    },
    get size() {
      return statements.size;
    },
  };
}

/** Declared parameter types make another statement of the same text. */
function keyOf(text: string, options: QueryOptions | undefined): string {
  return options?.paramTypes?.length ? `${text}\u0000${options.paramTypes.join(',')}` : text;
}

/** As PGlite's query does: the failing statement travels with the error. */
function withQuery(e: unknown, query: string, params: unknown[], queryOptions: QueryOptions | undefined): unknown {
  if (e instanceof Error && 'code' in e) Object.assign(e, { query, params, queryOptions });
  return e;
}
