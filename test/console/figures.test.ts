/** Shared figures: computed once, served stale while one refresh runs, never a second scan at once. */
import { describe, expect, it } from 'vitest';
import { SharedFigures } from '../../src/console/data/cache.ts';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('shared figures', () => {
  it('the first requests wait for one computation; later ones get the kept value, refreshed in the background once stale', async () => {
    let now = 1_000;
    const figures = new SharedFigures(() => new Date(now));
    const runs: ReturnType<typeof deferred<number>>[] = [];
    const compute = () => {
      const d = deferred<number>();
      runs.push(d);
      return d.promise;
    };
    const a = figures.get('k', 10_000, compute);
    const b = figures.get('k', 10_000, compute);
    expect(runs).toHaveLength(1);
    runs[0]!.resolve(1);
    expect(await a).toEqual({ value: 1, at: new Date(1_000) });
    expect(await b).toEqual({ value: 1, at: new Date(1_000) });
    now += 10_001;
    // Stale: served at once, one refresh started.
    expect((await figures.get('k', 10_000, compute)).value).toBe(1);
    expect((await figures.get('k', 10_000, compute)).value).toBe(1);
    expect(runs).toHaveLength(2);
    runs[1]!.resolve(2);
    await new Promise((r) => setImmediate(r));
    expect(await figures.get('k', 10_000, compute)).toEqual({ value: 2, at: new Date(11_001) });
    expect(runs).toHaveLength(2);
  });

  it('a failed refresh keeps the old figures and is reported; a failed first computation is not kept', async () => {
    let now = 0;
    const errors: string[] = [];
    const figures = new SharedFigures(
      () => new Date(now),
      (_e, key) => errors.push(key),
    );
    await expect(figures.get('x', 1_000, () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
    expect((await figures.get('x', 1_000, async () => 7)).value).toBe(7);
    now = 2_000;
    expect((await figures.get('x', 1_000, () => Promise.reject(new Error('db down')))).value).toBe(7);
    await new Promise((r) => setImmediate(r));
    expect(errors).toEqual(['x']);
    expect((await figures.get('x', 1_000, async () => 8)).value).toBe(7);
    figures.forget('x');
    expect((await figures.get('x', 1_000, async () => 9)).value).toBe(9);
  });
});
