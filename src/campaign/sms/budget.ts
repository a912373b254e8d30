/**
 * The daily SMS budget (SMS_DAILY_BUDGET): parts per Asia/Almaty calendar day for the whole
 * deployment, kept in one `sms_budget_days` row a day.
 *
 * Never exceeded, however many instances send: a send reserves its parts before it goes, in one
 * statement that adds them only if the day's total stays within the budget (INSERT … ON CONFLICT DO
 * UPDATE … WHERE: the row lock serialises instances, and the condition is checked on the row as
 * the winner left it). Parts are given back only when the provider certainly did not send; a crash
 * between reserving and recording keeps them spent — the safe side.
 */
import { addDays, fromAlmaty, toAlmaty } from '../../domain/almaty-time.ts';
import type { Db } from '../../services/db.ts';

/** `error` of an outbox row waiting for tomorrow's budget (campaign status counts them). */
export const SMS_BUDGET_SPENT = 'sms: daily budget spent';

/** The Almaty calendar day of an instant, as the table keys it ("2026-12-20"). */
export function almatyDay(at: Date): string {
  const d = toAlmaty(at);
  return `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

/** The next Almaty midnight after `at`: when a new day's budget opens. */
export function nextAlmatyMidnight(at: Date): Date {
  return fromAlmaty(addDays(toAlmaty(at), 1));
}

/** Adds `segments` to the day's spend if it stays within `budget`; false (nothing added) otherwise. */
export async function reserveSegments(db: Db, day: string, segments: number, budget: number): Promise<boolean> {
  const rows = await db.$queryRaw<{ segments: number }[]>`
    INSERT INTO sms_budget_days AS b (day, segments, "updatedAt")
    SELECT ${day}::date, ${segments}::int, now() WHERE ${segments}::int <= ${budget}::int
    ON CONFLICT (day) DO UPDATE SET segments = b.segments + EXCLUDED.segments, "updatedAt" = now()
      WHERE b.segments + EXCLUDED.segments <= ${budget}::int
    RETURNING b.segments`;
  return rows.length > 0;
}

/** Gives back parts reserved for a send the provider certainly did not make. */
export async function releaseSegments(db: Db, day: string, segments: number): Promise<void> {
  await db.$executeRaw`
    UPDATE sms_budget_days SET segments = GREATEST(0, segments - ${segments}::int), "updatedAt" = now() WHERE day = ${day}::date`;
}

/** Parts spent (reserved) on the day so far. */
export async function segmentsSpent(db: Db, day: string): Promise<number> {
  const rows = await db.$queryRaw<{ segments: number }[]>`SELECT segments FROM sms_budget_days WHERE day = ${day}::date`;
  return rows[0]?.segments ?? 0;
}

/** For the campaign status: the parts spent today, and the messages waiting for a later day's budget. */
export async function smsBudgetToday(db: Db, now: Date): Promise<{ spent: number; waiting: number }> {
  const [{ waiting }] = (await db.$queryRaw<{ waiting: number }[]>`
    SELECT count(*)::int AS waiting FROM outbox
    WHERE channel = 'SMS' AND status = 'PENDING' AND error = ${SMS_BUDGET_SPENT} AND "nextAttemptAt" > ${now}::timestamp(3)`) as [{ waiting: number }];
  return { spent: await segmentsSpent(db, almatyDay(now)), waiting };
}

/**
 * Which of a batch fit what is left of the budget, in claim order (a message too large for what is
 * left is passed over for the smaller ones behind it): the rest waits for a later day. An estimate
 * for the batch — other instances spend meanwhile; each send's own reservation decides.
 */
export function fitBudget<T extends { segments: number }>(items: T[], left: number): { fit: T[]; over: T[] } {
  const fit: T[] = [];
  const over: T[] = [];
  for (const item of items) {
    if (item.segments <= left) {
      fit.push(item);
      left -= item.segments;
    } else over.push(item);
  }
  return { fit, over };
}
