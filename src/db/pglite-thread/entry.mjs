// The embedded database thread's entry: workers do not inherit the tsx loader of the thread that
// starts them, so this registers it before loading the TypeScript (as src/ops/bin.mjs does).
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
