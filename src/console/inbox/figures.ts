/**
 * The inbox's figures for the dashboard: conversations open (and waiting for an answer), the
 * median time to the first answer over the last 30 days, and the answers given today (Almaty).
 */
import { fromAlmaty, toAlmaty } from '../../domain/almaty-time.ts';
import type { Db } from '../../services/db.ts';

export interface InboxFigures {
  open: number;
  waiting: number;
  /** Minutes from a thread's opening to its first answer; null without answered threads. */
  medianFirstResponseMinutes: number | null;
  answeredToday: number;
}

const DAY_MS = 86_400_000;

export async function inboxFigures(db: Db, now: Date): Promise<InboxFigures> {
  const since = new Date(now.getTime() - 30 * DAY_MS);
  const midnight = fromAlmaty(toAlmaty(now), 0);
  const [row] = await db.$queryRaw<{ open: number; waiting: number; median: number | null; today: number }[]>`
    SELECT (SELECT count(*)::int FROM support_threads WHERE status = 'OPEN') AS open,
           (SELECT count(*)::int FROM support_threads WHERE status = 'OPEN' AND "waitingSince" IS NOT NULL) AS waiting,
           (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM ("firstResponseAt" - "openedAt")) / 60)
              FROM support_threads WHERE "firstResponseAt" IS NOT NULL AND "openedAt" >= ${since}) AS median,
           (SELECT count(*)::int FROM support_messages WHERE author = 'OPERATOR' AND "createdAt" >= ${midnight}) AS today`;
  return {
    open: row?.open ?? 0,
    waiting: row?.waiting ?? 0,
    medianFirstResponseMinutes: row?.median === null || row?.median === undefined ? null : Math.round(Number(row.median)),
    answeredToday: row?.today ?? 0,
  };
}
