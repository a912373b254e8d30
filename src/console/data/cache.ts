/**
 * Figures several operators look at and that take a scan of a million rows to compute (the
 * dashboard, the statistics, the purge's dry run): computed once per key and shared for a few
 * seconds, and a request that comes while they are being computed waits for the same result
 * instead of starting another scan. Each page says when its figures were computed.
 */
export interface Computed<T> {
  value: T;
  at: Date;
}

export class SharedFigures {
  private readonly kept = new Map<string, { expires: number; value: Promise<Computed<unknown>> }>();

  constructor(private readonly now: () => Date) {}

  get<T>(key: string, ttlMs: number, compute: () => Promise<T>): Promise<Computed<T>> {
    const t = this.now().getTime();
    const hit = this.kept.get(key);
    if (hit && hit.expires > t) return hit.value as Promise<Computed<T>>;
    const value = compute().then((v) => ({ value: v, at: new Date(t) }));
    this.kept.set(key, { expires: t + ttlMs, value });
    // A failure is not kept: the next request tries again.
    value.catch(() => this.kept.delete(key));
    if (this.kept.size > 200) for (const [k, v] of this.kept) if (v.expires <= t) this.kept.delete(k);
    return value;
  }

  /** After a change the operator expects to see at once (a purge, an import). */
  forget(prefix: string): void {
    for (const k of [...this.kept.keys()]) if (k.startsWith(prefix)) this.kept.delete(k);
  }
}
