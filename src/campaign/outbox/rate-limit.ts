/**
 * The per-channel send rate, shared by every instance through one `rate_limit_buckets` row.
 *
 * A token bucket refilled by elapsed time × rate, taken in one UPDATE … RETURNING (the row lock
 * serialises instances). Plain token buckets let `capacity + rate` messages through in one second
 * (a full bucket, then its refill), which would break "never above the cap" in a one-second
 * window; so the bucket here holds a burst of one token and may go into debt up to `horizonMs`
 * ahead: each token taken is a *send slot* — the moment the bucket would have refilled it. Slots
 * of all instances are thus spaced 1/rate apart on one timeline, and any window of W seconds
 * holds at most rate × W + 1 of them (the dispatcher sends each message at its slot).
 *
 * Times are epoch milliseconds compared inside the database (timestamp(3) is millisecond-exact),
 * so clock differences between instances only shift slots, never stack them.
 */
import type { Db } from '../../services/db.ts';

export interface RateSpec {
  key: string;
  /** Sends per second. */
  ratePerSecond: number;
  /** Tokens that may accumulate while idle; 1 = strict spacing. */
  burst?: number;
  /** How far ahead slots may be booked (an instance's look-ahead). */
  horizonMs?: number;
}

export interface RateGrant {
  /** Send slots (epoch ms), ascending; may be empty. */
  slots: number[];
}

/** Creates the bucket row once (idempotent, safe on several instances at once). */
export async function ensureBucket(db: Db, key: string, now: Date): Promise<void> {
  await db.$executeRaw`
    INSERT INTO rate_limit_buckets (key, tokens, "refilledAt") VALUES (${key}, 1, ${now}::timestamp(3))
    ON CONFLICT (key) DO NOTHING`;
}

/** Takes up to `want` send slots within the horizon. */
export async function takeSlots(db: Db, spec: RateSpec, want: number, now: Date): Promise<RateGrant> {
  const burst = spec.burst ?? 1;
  const horizonMs = spec.horizonMs ?? 1000;
  const perMs = spec.ratePerSecond / 1000;
  const nowMs = now.getTime();
  const rows = await db.$queryRaw<{ avail: number; granted: number; at: number }[]>`
    WITH cur AS (
      SELECT key,
             EXTRACT(EPOCH FROM "refilledAt")::float8 * 1000 AS last,
             tokens
      FROM rate_limit_buckets WHERE key = ${spec.key} FOR UPDATE
    ), refilled AS (
      SELECT key,
             LEAST(${burst}::float8, tokens + GREATEST(0, ${nowMs}::float8 - last) * ${perMs}::float8) AS avail,
             GREATEST(last, ${nowMs}::float8) AS at
      FROM cur
    ), g AS (
      SELECT key, avail, at,
             GREATEST(0, LEAST(${want}::int, FLOOR(avail + (${nowMs}::float8 + ${horizonMs}::float8 - at) * ${perMs}::float8)))::int AS granted
      FROM refilled
    )
    UPDATE rate_limit_buckets b
    SET tokens = g.avail - g.granted, "refilledAt" = (to_timestamp(g.at / 1000) AT TIME ZONE 'UTC')
    FROM g WHERE b.key = g.key
    RETURNING g.avail::float8 AS avail, g.granted::int AS granted, g.at::float8 AS at`;
  const row = rows[0];
  if (!row) return { slots: [] };
  const slots: number[] = [];
  for (let j = 1; j <= row.granted; j++) slots.push(Math.ceil(row.at + Math.max(0, (j - row.avail) / perMs)));
  return { slots };
}

/**
 * Stops every instance from sending on this channel until `until` (an operator must act first:
 * a revoked token, an unapproved template). Sending resumes by itself afterwards.
 */
export async function pauseBucket(db: Db, key: string, until: Date): Promise<void> {
  await db.$executeRaw`
    UPDATE rate_limit_buckets SET tokens = LEAST(tokens, 0), "refilledAt" = GREATEST("refilledAt", ${until}::timestamp(3))
    WHERE key = ${key}`;
}
