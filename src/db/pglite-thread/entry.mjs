// The embedded database thread's entry: a worker does not always have a TypeScript loader (under
// vitest the opener's is vitest's own), so this registers tsx's before loading the TypeScript, as
// src/ops/bin.mjs does; registering it where `node --import tsx` already did is harmless.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
