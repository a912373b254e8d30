/**
 * GET /metrics: the scrape in Prometheus' text format. With METRICS_TOKEN set only a request
 * bearing it is served (the figures say how the campaign goes, which is nobody else's business);
 * without it the endpoint is open, for a scraper on a private network or behind the proxy's rules.
 */
import { timingSafeEqual } from 'node:crypto';
import type { HttpResponse, HttpServer } from '../http/server.ts';
import type { Metrics } from './metrics.ts';

export const METRICS_PATH = '/metrics';

export function registerMetricsEndpoint(http: HttpServer, metrics: Metrics, token: string | null): void {
  const expected = token === null ? null : Buffer.from(`Bearer ${token}`, 'utf8');
  http.route('GET', METRICS_PATH, async (req): Promise<HttpResponse> => {
    if (expected !== null) {
      const given = Buffer.from(String(req.headers.authorization ?? ''), 'utf8');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        return { status: 401, headers: { 'www-authenticate': 'Bearer' }, body: { error: 'unauthorized' } };
      }
    }
    return { status: 200, headers: { 'content-type': metrics.contentType }, body: await metrics.text() };
  });
}
