import { pino, type DestinationStream, type Logger } from 'pino';
import { maskPersonalData } from './domain/mask.ts';

export type { Logger };

/** Masks IINs and phones in every string of a log record, however deep, before it is written. */
function maskDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskPersonalData(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return { type: value.name, message: maskPersonalData(value.message), stack: value.stack && maskPersonalData(value.stack) };
  }
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskDeep(v, depth + 1)]));
}

/**
 * Structured JSON logs. Personal data never reaches them unmasked: records and messages pass
 * through the masker whatever a caller put in them.
 */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      formatters: { log: (record) => maskDeep(record) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          const masked = args.map((a) => (typeof a === 'string' ? maskPersonalData(a) : a)) as typeof args;
          method.apply(this, masked);
        },
      },
      serializers: { err: (e: unknown) => maskDeep(e) },
    },
    destination,
  );
}
