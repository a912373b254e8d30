/**
 * Liveness and readiness. `GET /healthz` (liveness): the process serves and its database answers.
 * `GET /readyz` (readiness, for load balancers and orchestrators): the database answers, every
 * committed migration is applied (an instance started before `db:migrate` finished, or next to a
 * failed migration, must not take traffic), and the instance is not draining — from the stop
 * signal on it answers 503 so that balancers stop sending to it while it finishes what it has.
 */
import { readMigrationHistory, migrationNames } from '../db/migrations/history.ts';
import { DEFAULT_MIGRATIONS_DIR } from '../db/migrations/paths.ts';
import type { Database } from '../db/client.ts';
import { Gauge } from 'prom-client';
import type { Metrics } from '../metrics/metrics.ts';
import type { HttpResponse, HttpServer } from './server.ts';

export interface Readiness {
  ready: boolean;
  database: 'ok' | 'unavailable';
  /** Committed migrations the database has not applied (or recorded as failed). */
  migrations: 'current' | 'behind' | 'unknown';
  pending?: string[];
  draining: boolean;
}

export class Health {
  private drainingSince: Date | null = null;
  /** Once every migration is applied it stays so: a later instance can only add newer ones. */
  private migrationsCurrent = false;
  private local: Promise<string[]> | null = null;

  constructor(
    private readonly db: Pick<Database, 'prisma' | 'kind'>,
    metrics: Metrics,
    private readonly migrationsDir: string = DEFAULT_MIGRATIONS_DIR,
  ) {
    const health = this;
    // Checked at each scrape, so the alert on readiness needs nobody to call /readyz.
    new Gauge({
      name: 'kq_ready',
      help: '1 when the instance is ready (database answers, migrations current, not draining), 0 otherwise',
      registers: [metrics.registry],
      async collect() {
        this.set((await health.readiness()).ready ? 1 : 0);
      },
    });
    new Gauge({
      name: 'kq_draining',
      help: '1 from the stop signal on: no new updates, the ones in flight finish',
      registers: [metrics.registry],
      collect() {
        this.set(health.draining ? 1 : 0);
      },
    });
  }

  get draining(): boolean {
    return this.drainingSince !== null;
  }

  /** From the stop signal on: readiness 503. */
  startDraining(now: Date = new Date()): void {
    this.drainingSince ??= now;
  }

  register(http: HttpServer): void {
    http.route('GET', '/healthz', () => this.liveness());
    http.route('GET', '/readyz', async () => {
      const r = await this.readiness();
      return { status: r.ready ? 200 : 503, body: { status: r.ready ? 'ready' : 'not ready', ...r } };
    });
  }

  async liveness(): Promise<HttpResponse> {
    try {
      await this.db.prisma.$queryRaw`SELECT 1`;
      return { status: 200, body: { status: 'ok', database: this.db.kind } };
    } catch {
      return { status: 503, body: { status: 'unavailable', database: this.db.kind } };
    }
  }

  async readiness(): Promise<Readiness> {
    const draining = this.draining;
    let result: Readiness;
    try {
      let pending: string[] = [];
      if (this.migrationsCurrent) await this.db.prisma.$queryRaw`SELECT 1`;
      else pending = await this.pendingMigrations();
      this.migrationsCurrent = pending.length === 0;
      result = { ready: !draining && this.migrationsCurrent, database: 'ok', migrations: this.migrationsCurrent ? 'current' : 'behind', draining };
      if (pending.length > 0) result.pending = pending;
    } catch {
      result = { ready: false, database: 'unavailable', migrations: this.migrationsCurrent ? 'current' : 'unknown', draining };
    }
    return result;
  }

  /** Committed migrations not recorded as applied (a failed one counts as not applied). */
  private async pendingMigrations(): Promise<string[]> {
    this.local ??= readMigrationHistory(this.migrationsDir).then(migrationNames);
    const local = await this.local;
    const [{ present }] = (await this.db.prisma.$queryRaw<{ present: boolean }[]>`SELECT to_regclass('_prisma_migrations') IS NOT NULL AS present`) as [
      { present: boolean },
    ];
    if (!present) return local;
    const rows = await this.db.prisma.$queryRaw<{ name: string }[]>`
      SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;
    const applied = new Set(rows.map((r) => r.name));
    return local.filter((n) => !applied.has(n));
  }
}
