/**
 * The product's Prometheus metrics: one registry per Metrics object, never prom-client's global
 * one, so tests and several cores in one process each count their own. Counters are moved where
 * the work happens (channels, the outbox, the database adapter); figures that live in the
 * database (outbox backlog, the season's results, the WhatsApp tier, identification locks) are
 * read when Prometheus scrapes, through `gaugesFromDatabase` (db-gauges.ts).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Seconds: a webhook's answer should stay well under a second; Bot API calls and statements take milliseconds. */
const HANDLING_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const STATEMENT_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5];

const LINT_FAILING_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/** What became of one call to a platform's API (one HTTP request). */
export type ApiOutcome = 'ok' | 'rate_limited' | 'client_error' | 'server_error' | 'network_error';

export interface MetricsOptions {
  /** Node's process metrics (CPU, memory, event loop lag, GC); off in tests that build many registries. */
  processMetrics?: boolean;
}

export class Metrics {
  readonly registry = new Registry();

  readonly updatesReceived = this.counter(
    'kq_updates_received_total',
    'Platform updates (Telegram updates, WhatsApp messages and statuses) received, per channel',
    ['channel'],
  );
  readonly updatesProcessed = this.counter('kq_updates_processed_total', 'Updates handled to the end (including ones with nothing to do), per channel', [
    'channel',
  ]);
  readonly updatesDuplicate = this.counter('kq_updates_duplicate_total', 'Redelivered updates recognised by the inbox and skipped, per channel', ['channel']);
  readonly updatesFailed = this.counter('kq_updates_failed_total', 'Updates whose handling failed (logged; the parent was told to try again), per channel', [
    'channel',
  ]);
  readonly updateSeconds = this.histogram(
    'kq_update_handling_seconds',
    'Time from an update reaching the channel to its handling being settled (reply sent), per channel',
    ['channel'],
    HANDLING_BUCKETS,
  );
  readonly apiRequests = this.counter(
    'kq_platform_api_requests_total',
    'Requests to the Bot API and the Graph API by method and outcome (rate_limited = HTTP 429 or a throughput error); every retry is a request',
    ['channel', 'method', 'outcome'],
  );
  readonly apiRetries = this.counter(
    'kq_platform_api_retries_total',
    'Requests that repeated an earlier failed one (429 after retry_after, 5xx, network), by method',
    ['channel', 'method'],
  );
  readonly outboxSent = this.counter('kq_outbox_sent_total', 'Campaign messages (reminders, stop-list notices) the platform accepted, per channel and kind', [
    'channel',
    'kind',
  ]);
  readonly sendRateLimit = new Gauge({
    name: 'kq_outbox_rate_limit_per_second',
    help: 'The configured send rate of the whole deployment, per channel (compare rate(kq_outbox_sent_total[1m]))',
    labelNames: ['channel'] as const,
    registers: [this.registry],
  });
  readonly statementSeconds = this.histogram(
    'kq_db_statement_seconds',
    'Time of one database statement as the driver adapter runs it (query or execute, transactions included)',
    ['database'],
    STATEMENT_BUCKETS,
  );
  private histogram<L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]): Histogram<L> {
    return new Histogram<L>({ name, help, labelNames, buckets, registers: [this.registry] });
  }

  private counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
    return new Counter<L>({ name, help, labelNames, registers: [this.registry] });
  }

  constructor(opts: MetricsOptions = {}) {
    if (opts.processMetrics ?? true) {
      collectDefaultMetrics({ register: this.registry });
      // Gauges named like counters: promtool's lint refuses them, and the event loop lag and heap say more.
      for (const name of LINT_FAILING_DEFAULTS) this.registry.removeSingleMetric(name);
    }
  }

  /** The scrape, in Prometheus' text format. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/** The outcome label of an HTTP status (null: no answer came). */
export function outcomeOfStatus(status: number | null): ApiOutcome {
  if (status === null) return 'network_error';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server_error';
  if (status >= 400) return 'client_error';
  return 'ok';
}
