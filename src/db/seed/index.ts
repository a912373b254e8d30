export { DEMO_PARENTS } from './demo-parents.ts';
export { generateDemoRegistry } from './generate.ts';
export { isDatabaseEmpty, seedDemo } from './seed.ts';
