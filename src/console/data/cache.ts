/**
 * Figures several operators look at and that take a scan of a million rows to compute (the
 * dashboard, the statistics, the purge's dry run): computed once per key and shared. Once older
 * than their time to live they are still served at once while one refresh runs in the background
 * (stale-while-revalidate), so only the very first request waits for a scan; a request that comes
 * while the first computation runs waits for the same result instead of starting another. Each
 * page says when its figures were computed.
 */
export interface Computed<T> {
  value: T;
  at: Date;
}

export class SharedFigures {
  private readonly kept = new Map<string, { expires: number; value: Promise<Computed<unknown>>; refreshing: boolean }>();

  constructor(
    private readonly now: () => Date,
    private readonly onError: (err: unknown, key: string) => void = () => {},
  ) {}

  get<T>(key: string, ttlMs: number, compute: () => Promise<T>): Promise<Computed<T>> {
    const t = this.now().getTime();
    const hit = this.kept.get(key);
    if (hit) {
      if (hit.expires <= t && !hit.refreshing) this.refresh(key, ttlMs, compute, hit);
      return hit.value as Promise<Computed<T>>;
    }
    const value = compute().then((v) => ({ value: v, at: new Date(t) }));
    const entry = { expires: t + ttlMs, value: value as Promise<Computed<unknown>>, refreshing: false };
    this.kept.set(key, entry);
    // A failed first computation is not kept: the next request tries again.
    value.catch(() => {
      if (this.kept.get(key) === entry) this.kept.delete(key);
    });
    return value;
  }

  private refresh<T>(
    key: string,
    ttlMs: number,
    compute: () => Promise<T>,
    entry: { expires: number; value: Promise<Computed<unknown>>; refreshing: boolean },
  ): void {
    entry.refreshing = true;
    const at = this.now();
    compute().then(
      (v) => {
        if (this.kept.get(key) !== entry) return;
        entry.value = Promise.resolve({ value: v, at });
        entry.expires = at.getTime() + ttlMs;
        entry.refreshing = false;
      },
      (err: unknown) => {
        // The old figures stay; the next request after a while tries again.
        entry.refreshing = false;
        entry.expires = this.now().getTime() + ttlMs;
        this.onError(err, key);
      },
    );
  }

  /** After a change the operator expects to see at once (a purge, an import). */
  forget(prefix: string): void {
    for (const k of [...this.kept.keys()]) if (k.startsWith(prefix)) this.kept.delete(k);
  }
}
