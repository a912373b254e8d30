/**
 * Child process of v8-tuning.test.ts: objects from two allocation sites that outlive
 * young-generation collections, the feedback V8's allocation-site pretenuring weighs (and prints
 * with --trace-pretenuring-statistics), with or without the product's V8 setting (argv[2] === 'tuned').
 */
import { tuneV8 } from '../../src/v8-tuning.ts';

if (process.argv[2] === 'tuned') tuneV8();

interface Made {
  i: number;
  pair: number[];
}
const make = (i: number): Made => ({ i, pair: [i, i + 1] });
const RING = 200_000;
const kept: Made[] = new Array<Made>(RING);
for (let i = 0; i < 5 * RING; i++) kept[i % RING] = make(i);
console.log(`kept ${kept.length}`);
