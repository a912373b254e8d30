/**
 * A registry file repeats a few values a million times (the same dates, statuses, kindergarten
 * lists): reading each distinct cell once is most of the import's parsing saved. Bounded: a file of
 * all-distinct values only fills and clears the table now and then.
 */
export function memo<R>(fn: (s: string) => R, max = 50_000): (s: string) => R {
  const cache = new Map<string, R>();
  return (s) => {
    let r = cache.get(s);
    if (r === undefined && !cache.has(s)) {
      r = fn(s);
      if (cache.size >= max) cache.clear();
      cache.set(s, r);
    }
    return r as R;
  };
}
