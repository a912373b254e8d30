/**
 * Child process of v8-tuning.test.ts: objects from two allocation sites that outlive
 * young-generation collections, the feedback V8's allocation-site pretenuring weighs (and prints
 * with --trace-pretenuring-statistics); started with or without the product's V8 flags.
 */
interface Made {
  i: number;
  pair: number[];
}
const make = (i: number): Made => ({ i, pair: [i, i + 1] });
const RING = 200_000;
const kept: Made[] = new Array<Made>(RING);
for (let i = 0; i < 5 * RING; i++) kept[i % RING] = make(i);
console.log(`kept ${kept.length}`);
