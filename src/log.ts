import { pino, type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
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

export interface LoggerOptions {
  /** Readable lines (pino-pretty) instead of JSON: for a person at a terminal. */
  pretty?: boolean;
}

/**
 * Structured JSON logs, or readable lines for a person. Personal data never reaches either
 * unmasked: records and messages pass through the masker whatever a caller put in them, before
 * they are serialised — the pretty printer only ever sees the masked JSON.
 */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', destination?: DestinationStream, opts: LoggerOptions = {}): Logger {
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
    opts.pretty ? prettyStream(destination) : destination,
  );
}

/** LOG_PRETTY wins; unset, a terminal on stdout gets readable lines and anything else (a supervisor, a file) JSON. */
export function wantsPrettyLogs(setting: boolean | undefined, stdoutIsTTY: boolean = process.stdout.isTTY === true): boolean {
  return setting ?? stdoutIsTTY;
}

function prettyStream(destination?: DestinationStream): DestinationStream {
  return pretty({
    colorize: destination === undefined && process.stdout.isTTY === true,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname',
    // Synchronous: the last lines before process.exit (a failed start, the end of a drain) are not lost.
    sync: true,
    ...(destination ? { destination } : {}),
  });
}
