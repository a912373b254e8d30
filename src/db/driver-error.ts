import { DriverAdapterError, type SqlDriverAdapter } from '@prisma/driver-adapter-utils';

/**
 * Failing SQL run outside a driver adapter's own query path (a migration script) becomes the
 * engine's "postgres" error, so its messages name the code and the cause.
 */
export function toDriverAdapterError(e: unknown): unknown {
  const d = e as { code?: unknown; message?: unknown; severity?: unknown; detail?: unknown; column?: unknown; hint?: unknown };
  if (!(e instanceof Error) || typeof d.code !== 'string') return e;
  return new DriverAdapterError({
    kind: 'postgres',
    code: d.code,
    severity: typeof d.severity === 'string' ? d.severity : 'ERROR',
    message: e.message,
    detail: typeof d.detail === 'string' ? d.detail : undefined,
    column: typeof d.column === 'string' ? d.column : undefined,
    hint: typeof d.hint === 'string' ? d.hint : undefined,
    originalCode: d.code,
    originalMessage: e.message,
  });
}

/**
 * A migration script runs as one simple-protocol query: all of it or none of it, as with the
 * native engine; awaited, and its failure reported as the engine's error.
 */
export function runScriptsWith(adapter: SqlDriverAdapter, run: (script: string) => Promise<unknown>): SqlDriverAdapter {
  adapter.executeScript = async (script: string) => {
    try {
      await run(script);
    } catch (e) {
      throw toDriverAdapterError(e);
    }
  };
  return adapter;
}
