/**
 * Bounded retries of Bot API calls that failed on the network (no answer from Telegram at all).
 * @grammyjs/auto-retry handles 429 and 5xx answers with bounded attempts but would retry network
 * errors without bound, which could keep an update — and a graceful stop — waiting for an hour.
 * getUpdates is left alone: the runner has its own retry loop for it.
 */
import { HttpError, type Transformer } from 'grammy';

export function retryNetworkErrors(delaysMs: readonly number[] = [500, 2000]): Transformer {
  return async (prev, method, payload, signal) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await prev(method, payload, signal);
      } catch (err) {
        const delay = delaysMs[attempt];
        if (!(err instanceof HttpError) || method === 'getUpdates' || signal?.aborted || delay === undefined) throw err;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  };
}
