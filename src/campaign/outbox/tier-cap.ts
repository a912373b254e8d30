/**
 * WhatsApp's messaging tier: business-initiated conversations (template sends) may reach at most
 * `tier` distinct users in any rolling 24 hours (250 before business verification, then 1 000,
 * 10 000, 100 000, unlimited). The dispatcher reserves the budget before sending a template —
 * under one row lock, so instances never overshoot together — and defers what does not fit to
 * the moments conversations leave the window, one per freed place: a campaign larger than the
 * tier spreads over days by itself.
 *
 * Counted: template rows SENT in the last 24 h, plus template rows being sent (SENDING with
 * viaTemplate = reserved). A user already counted costs nothing more.
 */
import type { Db } from '../../services/db.ts';
import { inTransaction } from '../../services/db.ts';
import { ensureBucket } from './rate-limit.ts';

export const TIER_WINDOW_MS = 24 * 60 * 60 * 1000;
/** `error` of a PENDING row waiting for the tier. */
export const TIER_CAP = 'tier-cap';
const LOCK_KEY = 'WHATSAPP:tier';

export interface TierCandidate {
  id: number;
  chatId: string;
}

export interface TierDecision {
  /** May go as templates now (marked viaTemplate = reserved). */
  allowed: number[];
  /** Deferred, with when each comes due again. */
  deferred: { id: number; at: Date }[];
}

/**
 * Reserves template sends for `candidates` (claimed by this instance, SENDING), defers the rest.
 * `tier` null = unlimited. Runs in its own transaction.
 */
export async function reserveTemplateSends(db: Db, candidates: TierCandidate[], tier: number | null, now: Date): Promise<TierDecision> {
  if (candidates.length === 0) return { allowed: [], deferred: [] };
  const ids = candidates.map((c) => c.id);
  if (tier === null) {
    await db.$executeRaw`UPDATE outbox SET "viaTemplate" = true WHERE id = ANY(${ids}::int[])`;
    return { allowed: ids, deferred: [] };
  }
  await ensureBucket(db, LOCK_KEY, now);
  const cutoff = new Date(now.getTime() - TIER_WINDOW_MS);
  return inTransaction(db, async (tx) => {
    await tx.$queryRaw`SELECT key FROM rate_limit_buckets WHERE key = ${LOCK_KEY} FOR UPDATE`;
    const chats = [...new Set(candidates.map((c) => c.chatId))];
    const [{ n }] = (await tx.$queryRaw<{ n: number }[]>`
      SELECT count(DISTINCT "chatId")::int AS n FROM outbox
      WHERE channel = 'WHATSAPP' AND "viaTemplate" AND NOT (id = ANY(${ids}::int[]))
        AND ((status = 'SENT' AND "sentAt" > ${cutoff}::timestamp(3)) OR status = 'SENDING')`) as [{ n: number }];
    const open = await tx.$queryRaw<{ chatId: string }[]>`
      SELECT DISTINCT "chatId" FROM outbox
      WHERE channel = 'WHATSAPP' AND "viaTemplate" AND NOT (id = ANY(${ids}::int[])) AND "chatId" = ANY(${chats}::text[])
        AND ((status = 'SENT' AND "sentAt" > ${cutoff}::timestamp(3)) OR status = 'SENDING')`;
    const counted = new Set(open.map((r) => r.chatId));
    let budget = tier - n;
    const allowed: number[] = [];
    const waiting: number[] = [];
    for (const c of candidates) {
      if (counted.has(c.chatId)) allowed.push(c.id);
      else if (budget > 0) {
        budget--;
        counted.add(c.chatId);
        allowed.push(c.id);
      } else waiting.push(c.id);
    }
    if (allowed.length > 0) await tx.$executeRaw`UPDATE outbox SET "viaTemplate" = true WHERE id = ANY(${allowed}::int[])`;
    const deferred = waiting.length > 0 ? await deferTimes(tx, waiting, tier, now, cutoff) : [];
    return { allowed, deferred };
  });
}

/**
 * The k-th row waiting for the tier comes due when the k-th counted conversation leaves the
 * window — a day later for each full tier ahead of it.
 */
async function deferTimes(tx: Db, waiting: number[], tier: number, now: Date, cutoff: Date): Promise<{ id: number; at: Date }[]> {
  // Reservations being sent now (SENDING) leave the window a day from now.
  const frees = await tx.$queryRaw<{ ms: number }[]>`
    SELECT (EXTRACT(EPOCH FROM max(COALESCE("sentAt", ${now}::timestamp(3))))::float8 * 1000 + ${TIER_WINDOW_MS}::float8) AS ms FROM outbox
    WHERE channel = 'WHATSAPP' AND "viaTemplate"
      AND ((status = 'SENT' AND "sentAt" > ${cutoff}::timestamp(3)) OR (status = 'SENDING' AND NOT (id = ANY(${waiting}::int[]))))
    GROUP BY "chatId" ORDER BY 1 LIMIT ${tier}`;
  const [{ ahead }] = (await tx.$queryRaw<{ ahead: number }[]>`
    SELECT count(*)::int AS ahead FROM outbox
    WHERE channel = 'WHATSAPP' AND status = 'PENDING' AND error = ${TIER_CAP} AND "nextAttemptAt" > ${now}::timestamp(3)`) as [{ ahead: number }];
  const m = frees.length;
  return waiting.map((id, j) => {
    const k = ahead + j;
    // Nothing counted at all (cannot happen while the cap is reached): look again shortly.
    const at = m === 0 ? now.getTime() + 60_000 : frees[k % m]!.ms + TIER_WINDOW_MS * Math.floor(k / m);
    return { id, at: new Date(Math.max(at, now.getTime() + 1000)) };
  });
}

/** Distinct WhatsApp users written to by template in the rolling window (what the tier counts; metrics). */
export async function tierUsage(db: Db, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - TIER_WINDOW_MS);
  const [{ n }] = (await db.$queryRaw<{ n: number }[]>`
    SELECT count(DISTINCT "chatId")::int AS n FROM outbox
    WHERE channel = 'WHATSAPP' AND "viaTemplate"
      AND ((status = 'SENT' AND "sentAt" > ${cutoff}::timestamp(3)) OR status = 'SENDING')`) as [{ n: number }];
  return n;
}

/** Parents' messages the tier holds back right now (campaign status). */
export async function delayedByTier(db: Db, now: Date): Promise<number> {
  const [{ n }] = (await db.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM outbox
    WHERE channel = 'WHATSAPP' AND status = 'PENDING' AND error = ${TIER_CAP} AND "nextAttemptAt" > ${now}::timestamp(3)`) as [{ n: number }];
  return n;
}
