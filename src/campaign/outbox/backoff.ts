/**
 * When a failed send is tried again: exponential in the attempts made, with jitter so that the
 * chats hit by one platform hiccup do not all come back at the same instant, and never sooner
 * than the platform asked (`retry_after`).
 */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 2_000, maxMs: 60 * 60 * 1000 };

/** `attempts`: tries made so far (≥ 1). `random` in [0, 1) (injected by tests). */
export function retryDelayMs(attempts: number, retryAfterMs: number | undefined, policy: BackoffPolicy = DEFAULT_BACKOFF, random = Math.random): number {
  const exponential = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempts - 1));
  const jittered = Math.round(exponential * (0.5 + random() * 0.5));
  return Math.max(retryAfterMs ?? 0, jittered);
}
