import { describe, expect, it } from 'vitest';
import { createRandom } from '../../src/domain/random.ts';

const draws = (seed: number, n: number) => {
  const r = createRandom(seed);
  return Array.from({ length: n }, () => r.next());
};

describe('createRandom', () => {
  it('repeats its sequence for a seed and differs between seeds', () => {
    expect(draws(42, 100)).toEqual(draws(42, 100));
    expect(draws(42, 100)).not.toEqual(draws(43, 100));
    for (const x of draws(7, 10_000)) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
  });

  it('int covers both bounds and nothing outside', () => {
    const r = createRandom(1);
    const seen = new Set<number>();
    for (let i = 0; i < 2_000; i++) seen.add(r.int(-2, 3));
    expect([...seen].sort((a, b) => a - b)).toEqual([-2, -1, 0, 1, 2, 3]);
    expect(r.int(5, 5)).toBe(5);
    expect(() => r.int(3, 2)).toThrow(RangeError);
    expect(() => r.int(0, 1.5)).toThrow(RangeError);
  });

  it('is roughly uniform', () => {
    const r = createRandom(2);
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) buckets[Math.floor(r.next() * 10)]!++;
    for (const b of buckets) expect(Math.abs(b - 10_000)).toBeLessThan(500);
  });

  it('chance follows p', () => {
    const r = createRandom(3);
    let hits = 0;
    for (let i = 0; i < 20_000; i++) if (r.chance(0.25)) hits++;
    expect(hits / 20_000).toBeCloseTo(0.25, 1);
    expect(Array.from({ length: 100 }, () => r.chance(0)).some(Boolean)).toBe(false);
    expect(Array.from({ length: 100 }, () => r.chance(1)).every(Boolean)).toBe(true);
  });

  it('weighted picks in proportion and never a zero weight', () => {
    const r = createRandom(4);
    const counts = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 30_000; i++)
      counts[
        r.weighted([
          ['a', 1],
          ['b', 0],
          ['c', 2],
        ] as const)
      ]++;
    expect(counts.b).toBe(0);
    expect(counts.c / counts.a).toBeGreaterThan(1.85);
    expect(counts.c / counts.a).toBeLessThan(2.15);
    expect(() => r.weighted([['a', 0]])).toThrow(RangeError);
    expect(() => r.weighted([])).toThrow(RangeError);
    expect(() =>
      r.weighted([
        ['a', -1],
        ['b', 2],
      ]),
    ).toThrow(RangeError);
  });

  it('pick and shuffle use every item', () => {
    const r = createRandom(5);
    const items = ['a', 'b', 'c', 'd'];
    const picked = new Set(Array.from({ length: 200 }, () => r.pick(items)));
    expect(picked).toEqual(new Set(items));
    expect(() => r.pick([])).toThrow(RangeError);

    const list = Array.from({ length: 50 }, (_, i) => i);
    const shuffled = r.shuffle(list);
    expect(shuffled).not.toEqual(list);
    expect(shuffled.slice().sort((a, b) => a - b)).toEqual(list);
    expect(list[0]).toBe(0); // the input is not touched
  });

  it('derive gives repeatable streams independent of the parent', () => {
    const a = createRandom(9);
    const b = createRandom(9);
    b.next(); // drawing from the parent does not move a derived stream
    const x = a.derive('kindergartens');
    const y = b.derive('kindergartens');
    expect([x.next(), x.next()]).toEqual([y.next(), y.next()]);
    expect(createRandom(9).derive('parents').next()).not.toBe(createRandom(9).derive('kindergartens').next());
    expect(createRandom(9).derive('parents').next()).not.toBe(createRandom(10).derive('parents').next());
  });
});
