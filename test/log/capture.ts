import { Writable } from 'node:stream';
import { createLogger, type LoggerOptions } from '../../src/log.ts';

/** A logger writing into memory: each write as it came (a JSON record, or pretty lines). */
export function captureLogs(opts: LoggerOptions = {}, level = 'debug') {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger(level, stream, opts), lines: chunks, text: () => chunks.join('') };
}
