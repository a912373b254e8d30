/**
 * Counts every Bot API request by method and outcome. Installed first on an Api, it is the
 * transformer closest to the wire, so each retry of auto-retry or the network retry is a request
 * of its own; a request repeating an earlier one (the same payload object comes round again, as
 * both retries pass it on) also counts as a retry. getUpdates is left out: long polling would
 * drown the figures in empty polls.
 */
import { HttpError, type Transformer } from 'grammy';
import { outcomeOfStatus, type Metrics } from '../../src/metrics/index.ts';

export function countApiRequests(metrics: Metrics): Transformer {
  const seen = new WeakSet<object>();
  return async (prev, method, payload, signal) => {
    if (method === 'getUpdates') return prev(method, payload, signal);
    if (payload && typeof payload === 'object') {
      if (seen.has(payload)) metrics.apiRetries.inc({ channel: 'TELEGRAM', method });
      else seen.add(payload);
    }
    try {
      const result = await prev(method, payload, signal);
      metrics.apiRequests.inc({ channel: 'TELEGRAM', method, outcome: result.ok ? 'ok' : outcomeOfStatus(result.error_code) });
      return result;
    } catch (err) {
      // A request that never got an answer (HttpError) or a transformer's own failure.
      metrics.apiRequests.inc({ channel: 'TELEGRAM', method, outcome: err instanceof HttpError ? 'network_error' : 'client_error' });
      throw err;
    }
  };
}
