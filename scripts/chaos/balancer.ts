/**
 * A round-robin load balancer in front of the instances, as the platforms see it: each webhook is
 * posted to the next live instance; a refused connection, a cut-off request or a non-200 answer is
 * delivered again to another one (Telegram and Meta redeliver until they get a 200).
 */
import type { Instances } from './instances.ts';
import { sleep } from './random.ts';

export interface BalancerStats {
  posts: number;
  /** Deliveries that had to be repeated (connection refused or reset, 5xx, 503 while stopping). */
  redeliveries: number;
}

export class Balancer {
  readonly stats: BalancerStats = { posts: 0, redeliveries: 0 };
  private next = 0;

  constructor(private readonly instances: Instances) {}

  /** Resolves with the 200 answer once some instance gave one; gives up after `timeoutMs`. */
  async post(path: string, body: string, headers: Record<string, string>, timeoutMs = 60_000): Promise<{ contentType: string | null; body: string }> {
    this.stats.posts++;
    const end = Date.now() + timeoutMs;
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) this.stats.redeliveries++;
      const live = this.instances.live();
      const target = live.length > 0 ? live[this.next++ % live.length]!.url : null;
      if (target) {
        try {
          const res = await fetch(`${target}${path}`, { method: 'POST', body, headers, signal: AbortSignal.timeout(30_000) });
          const answer = await res.text();
          if (res.status === 200) return { contentType: res.headers.get('content-type'), body: answer };
          if (res.status < 500) throw new Error(`${path} answered ${res.status}: the delivery itself is wrong`);
        } catch (err) {
          if (err instanceof Error && err.message.includes('the delivery itself is wrong')) throw err;
          // Connection refused or reset by a killed instance: deliver again elsewhere.
        }
      }
      if (Date.now() > end) throw new Error(`${path}: no instance took the delivery within ${timeoutMs} ms`);
      await sleep(Math.min(1_000, 50 * 2 ** Math.min(attempt, 5)));
    }
  }
}
