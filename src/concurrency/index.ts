/** Per-key ordering of work. bots/ imports src/concurrency/ only through this file. */
export { KeyedQueue } from './keyed-queue.ts';
