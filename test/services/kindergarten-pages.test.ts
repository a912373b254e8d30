import { describe, expect, it } from 'vitest';
import { KindergartenPages } from '../../src/services/kindergarten-pages.ts';
import type { KindergartenPage, KindergartenSearch } from '../../src/services/kindergartens.ts';

const search = (over: Partial<KindergartenSearch> = {}): KindergartenSearch => ({ query: null, near: null, page: 0, pageSize: 8, ...over });

/** A reader that counts its reads and answers a page naming the read. */
function reader() {
  let reads = 0;
  const read = async (): Promise<KindergartenPage> => ({ items: [], total: ++reads, page: 0 });
  return { read, reads: () => reads };
}

describe('kindergarten picker pages kept for a while', () => {
  it('reads a page once within the time it is kept, and again after', async () => {
    let now = 1_000;
    const pages = new KindergartenPages({ ttlMs: 30_000, now: () => now });
    const r = reader();
    expect((await pages.get(search(), r.read)).total).toBe(1);
    now += 29_999;
    expect((await pages.get(search(), r.read)).total).toBe(1);
    // Another page, another typed text, another page size: each its own read.
    await pages.get(search({ page: 1 }), r.read);
    await pages.get(search({ query: '12' }), r.read);
    await pages.get(search({ pageSize: 10 }), r.read);
    expect(r.reads()).toBe(4);
    now += 1;
    expect((await pages.get(search(), r.read)).total).toBe(5);
  });

  it('lets parents asking at the same moment share one read', async () => {
    const pages = new KindergartenPages();
    let release!: () => void;
    let reads = 0;
    const slow = () => {
      reads++;
      return new Promise<KindergartenPage>((resolve) => (release = () => resolve({ items: [], total: 3, page: 0 })));
    };
    const asked = [1, 2, 3].map(() => pages.get(search(), slow));
    release();
    expect((await Promise.all(asked)).map((p) => p.total)).toEqual([3, 3, 3]);
    expect(reads).toBe(1);
  });

  it('never keeps a search by location or a failed read', async () => {
    const pages = new KindergartenPages();
    const r = reader();
    const near = search({ near: { lat: 53.28, lon: 69.39 } });
    await pages.get(near, r.read);
    await pages.get(near, r.read);
    expect(r.reads()).toBe(2);

    await expect(pages.get(search(), () => Promise.reject(new Error('database down')))).rejects.toThrow('database down');
    expect((await pages.get(search(), r.read)).total).toBe(3);
  });

  it('keeps at most maxPages, dropping the oldest', async () => {
    const pages = new KindergartenPages({ maxPages: 2 });
    const r = reader();
    for (const page of [0, 1, 2]) await pages.get(search({ page }), r.read);
    await pages.get(search({ page: 2 }), r.read);
    await pages.get(search({ page: 1 }), r.read);
    expect(r.reads()).toBe(3);
    await pages.get(search({ page: 0 }), r.read);
    expect(r.reads()).toBe(4);
  });
});
