/**
 * A small seeded pseudo-random generator (mulberry32) for reproducible demo data and tests.
 * Not for anything secret.
 */

export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** A float in [min, max). */
  float(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Picks an item with probability proportional to its weight (weights ≥ 0, not all zero). */
  weighted<T>(items: readonly (readonly [T, number])[]): T;
  /** A shuffled copy (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[];
  /** An independent generator for a named purpose, so adding draws to one part of a program does
   *  not shift the numbers another part gets. */
  derive(label: string): Random;
}

/** FNV-1a, to turn a label into 32 bits. */
function hash32(text: string, start: number): number {
  let h = (start ^ 0x811c9dc5) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => {
    if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) throw new RangeError(`int(${min}, ${max})`);
    return min + Math.floor(next() * (max - min + 1));
  };
  const random: Random = {
    next,
    int,
    float: (min, max) => min + next() * (max - min),
    chance: (p) => next() < p,
    pick: (items) => {
      if (items.length === 0) throw new RangeError('pick from an empty list');
      return items[int(0, items.length - 1)]!;
    },
    weighted: (items) => {
      let total = 0;
      for (const [, w] of items) {
        if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError('weights must be finite and non-negative');
        total += w;
      }
      if (total <= 0) throw new RangeError('weighted pick needs a positive total weight');
      let r = next() * total;
      for (const [item, w] of items) {
        if (r < w) return item;
        r -= w;
      }
      // Floating-point rounding can leave r a hair above the last weight.
      for (let i = items.length - 1; i >= 0; i--) if (items[i]![1] > 0) return items[i]![0];
      throw new RangeError('unreachable');
    },
    shuffle: (items) => {
      const copy = items.slice();
      for (let i = copy.length - 1; i > 0; i--) {
        const j = int(0, i);
        [copy[i], copy[j]] = [copy[j]!, copy[i]!];
      }
      return copy;
    },
    derive: (label) => createRandom(hash32(label, seed)),
  };
  return random;
}
