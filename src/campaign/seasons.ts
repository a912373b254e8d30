/**
 * Season settings as operators set them (docs/product.md §5.1: dates live in the database, never in code).
 */
import type { Season } from '../generated/prisma/client.ts';
import type { Db } from '../services/db.ts';
import { inTransaction } from '../services/db.ts';
import { getCurrentSeason } from '../services/seasons.ts';
import { formatAlmaty } from '../domain/almaty-time.ts';
import { PURGE_LOCK_SQL } from './purge.ts';

export { parseAlmatyDateTime, formatAlmaty } from '../domain/almaty-time.ts';

export interface SeasonInput {
  code: string;
  opensAt: Date;
  deadline: Date;
  validUntil: Date;
}

/** What is wrong, for a form that shows it next to its field (the console). */
export type SeasonProblem = 'code' | 'opensAt' | 'deadline' | 'validUntil' | 'order' | 'validity' | 'purgedDeadline' | 'purgedValidity';

export class SeasonError extends Error {
  constructor(
    message: string,
    readonly problem: SeasonProblem,
  ) {
    super(message);
    this.name = 'SeasonError';
  }
}

const CODE = /^[A-Za-z0-9_-]{1,32}$/;

/** Why these dates cannot make a season, or null. */
export function seasonProblem(input: SeasonInput): SeasonError | null {
  if (!CODE.test(input.code)) return new SeasonError(`season code "${input.code}": use 1–32 letters, digits, "-" or "_", e.g. 2026`, 'code');
  for (const k of ['opensAt', 'deadline', 'validUntil'] as const) {
    if (!(input[k] instanceof Date) || Number.isNaN(input[k].getTime())) return new SeasonError(`${k} is not a valid date`, k);
  }
  if (input.opensAt.getTime() >= input.deadline.getTime()) {
    return new SeasonError(`the season must open (${formatAlmaty(input.opensAt)}) before its deadline (${formatAlmaty(input.deadline)})`, 'order');
  }
  if (input.deadline.getTime() >= input.validUntil.getTime()) {
    return new SeasonError(`the validity granted (${formatAlmaty(input.validUntil)}) must be after the deadline (${formatAlmaty(input.deadline)})`, 'validity');
  }
  return null;
}

export interface SetSeasonResult {
  season: Season;
  created: boolean;
}

/**
 * Creates or updates the season with this code. Once the season's purge has run, the dates the
 * purge acted on are fixed: moving the deadline (the stop-list would no longer match it) or the
 * validity (applications already extended to the old one would suddenly "need extension" after
 * the purge) is refused. Before the purge every change is allowed; the schedule follows the new
 * dates on the next tick.
 */
export async function setSeason(db: Db, input: SeasonInput): Promise<SetSeasonResult> {
  const problem = seasonProblem(input);
  if (problem) throw problem;
  return inTransaction(db, async (tx) => {
    // Serialises with a purge of this season (same lock, see purge.ts).
    await tx.$executeRawUnsafe(PURGE_LOCK_SQL);
    const existing = await tx.season.findUnique({ where: { code: input.code } });
    if (!existing) {
      const season = await tx.season.create({ data: { ...input } });
      return { season, created: true };
    }
    const purged = await tx.purgeRun.count({ where: { seasonId: existing.id } });
    if (purged > 0) {
      if (existing.deadline.getTime() !== input.deadline.getTime()) {
        throw new SeasonError(
          `season ${input.code} was already purged at its deadline ${formatAlmaty(existing.deadline)}; its deadline can no longer change (create a new season instead)`,
          'purgedDeadline',
        );
      }
      if (existing.validUntil.getTime() !== input.validUntil.getTime()) {
        throw new SeasonError(
          `season ${input.code} was already purged; the validity it grants (${formatAlmaty(existing.validUntil)}) can no longer change`,
          'purgedValidity',
        );
      }
    }
    const season = await tx.season.update({
      where: { id: existing.id },
      data: { opensAt: input.opensAt, deadline: input.deadline, validUntil: input.validUntil },
    });
    return { season, created: false };
  });
}

export function getSeason(db: Db, code: string): Promise<Season | null> {
  return db.season.findUnique({ where: { code } });
}

/** The season that opened last as of `now` (the conversation's notion of "this season"). */
export function currentSeason(db: Db, now: Date): Promise<Season | null> {
  return getCurrentSeason(db, now);
}
