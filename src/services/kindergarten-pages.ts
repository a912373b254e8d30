/**
 * Pages of the kindergarten picker kept for a short while. Every parent who opens question 1
 * sees the same first page (and the same pages for the same typed number or name), so an instance
 * reads each from the database once per `ttlMs` instead of once per parent; parents asking at the
 * same moment share one read. The demand figures shown are then at most `ttlMs` old — an estimate
 * of the chances either way. Searches by location are each parent's own and never kept.
 */
import type { KindergartenPage, KindergartenSearch } from './kindergartens.ts';

export interface KindergartenPagesOptions {
  /** How long a page is reused (default 30 s). */
  ttlMs?: number;
  /** Pages kept at most; the oldest go first (default 1 000). */
  maxPages?: number;
  /** Milliseconds now (tests). */
  now?: () => number;
}

export class KindergartenPages {
  private readonly pages = new Map<string, { until: number; page: Promise<KindergartenPage> }>();
  private readonly ttlMs: number;
  private readonly maxPages: number;
  private readonly now: () => number;

  constructor(opts: KindergartenPagesOptions = {}) {
    this.ttlMs = opts.ttlMs ?? 30_000;
    this.maxPages = opts.maxPages ?? 1_000;
    this.now = opts.now ?? Date.now;
  }

  /** The page for `search`: kept, or read with `read` and kept. A failed read is not kept. */
  get(search: KindergartenSearch, read: () => Promise<KindergartenPage>): Promise<KindergartenPage> {
    if (search.near !== null) return read();
    const key = JSON.stringify([search.query, search.page, search.pageSize]);
    const now = this.now();
    const kept = this.pages.get(key);
    if (kept && kept.until > now) return kept.page;
    if (kept) this.pages.delete(key);
    const page = read();
    this.pages.set(key, { until: now + this.ttlMs, page });
    page.catch(() => {
      if (this.pages.get(key)?.page === page) this.pages.delete(key);
    });
    // Insertion order is age: the first keys are the oldest.
    for (const old of this.pages.keys()) {
      if (this.pages.size <= this.maxPages) break;
      this.pages.delete(old);
    }
    return page;
  }
}
