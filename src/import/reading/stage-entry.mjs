// A staging thread's entry: registers tsx's loader before the TypeScript, as the embedded
// database's thread does (src/db/pglite-thread/entry.mjs).
import { register } from 'tsx/esm/api';

register();
await import('./stage-worker.ts');
