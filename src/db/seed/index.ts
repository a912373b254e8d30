export { DEMO_PARENTS, type DemoParent, type DemoChild } from './demo-parents.ts';
export { generateDemoRegistry, DEFAULT_PARENTS, DEFAULT_SEED, type DemoOptions } from './generate.ts';
export type { DemoRegistry, SeedSummary } from './registry.ts';
export { isDatabaseEmpty, seedDemo } from './seed.ts';
