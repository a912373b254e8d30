/**
 * Leases for periodic jobs: with several instances exactly one runs each planner or purge tick.
 *
 * A row in scheduler_leases, taken with one atomic conditional upsert: the insert wins when no
 * row exists; otherwise the update applies only when the lease has expired or is already ours.
 * PostgreSQL evaluates the ON CONFLICT … WHERE on the latest committed row under a row lock, so
 * of any number of concurrent callers exactly one gets a row back. Unlike a session advisory lock
 * it needs no connection held for the job's length (a pool may hand the unlock to another
 * session), and a crashed holder's lease simply expires. The expiry compares the callers'
 * injected clocks, so instances' clocks must agree to well within the TTL (NTP does).
 *
 * The lease is NOT released when the job ends: it marks the tick as taken until it expires, so
 * an instance whose cron fires a little later does not run the same tick again. Choose a TTL a bit
 * shorter than the tick interval.
 */
import type { Db } from '../services/db.ts';

export type LeaseOutcome<T> = { acquired: true; value: T } | { acquired: false; holder: string | null };

/** Takes (or renews) the lease `name` for `holder` until `now + ttlMs`; true when this caller holds it. */
export async function acquireLease(db: Db, name: string, holder: string, ttlMs: number, now: Date): Promise<boolean> {
  const expiresAt = new Date(now.getTime() + ttlMs);
  const rows = await db.$queryRaw<{ holder: string }[]>`
    INSERT INTO scheduler_leases (name, holder, "expiresAt")
    VALUES (${name}::text, ${holder}::text, ${expiresAt}::timestamp(3))
    ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, "expiresAt" = EXCLUDED."expiresAt"
    WHERE scheduler_leases."expiresAt" <= ${now}::timestamp(3) OR scheduler_leases.holder = EXCLUDED.holder
    RETURNING holder`;
  return rows.length === 1;
}

/** Gives the lease up early (at shutdown), only if this holder still has it. */
export async function releaseLease(db: Db, name: string, holder: string): Promise<void> {
  await db.schedulerLease.deleteMany({ where: { name, holder } });
}

/** Runs `fn` only if this caller takes the lease; otherwise reports who holds it. */
export async function withLease<T>(db: Db, name: string, holder: string, ttlMs: number, now: Date, fn: () => Promise<T>): Promise<LeaseOutcome<T>> {
  if (!(await acquireLease(db, name, holder, ttlMs, now))) {
    const current = await db.schedulerLease.findUnique({ where: { name }, select: { holder: true } });
    return { acquired: false, holder: current?.holder ?? null };
  }
  return { acquired: true, value: await fn() };
}
