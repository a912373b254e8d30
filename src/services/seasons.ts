/** Seasons: the yearly campaign with its opening date, purge deadline and the validity it grants. */
import type { Season } from '../generated/prisma/client.ts';
import type { SeasonView } from '../conversation/core/views.ts';
import type { Db } from './db.ts';

/** The season fields the services need; a full `Season` row fits. */
export type SeasonRef = Pick<Season, 'id' | 'code' | 'opensAt' | 'deadline' | 'validUntil'>;

/** The season that opened last, as of `now`; null before the first season opens. */
export async function getCurrentSeason(db: Db, now: Date): Promise<Season | null> {
  return db.season.findFirst({ where: { opensAt: { lte: now } }, orderBy: [{ opensAt: 'desc' }, { id: 'desc' }] });
}

export function toSeasonView(season: SeasonRef): SeasonView {
  return {
    code: season.code,
    opensAt: season.opensAt.toISOString(),
    deadline: season.deadline.toISOString(),
    validUntil: season.validUntil.toISOString(),
  };
}

/** Active and valid for less than the season grants: the parent should extend it. */
export function needsExtension(application: { status: string; validUntil: Date }, season: Pick<SeasonRef, 'validUntil'> | null): boolean {
  return season !== null && application.status === 'ACTIVE' && application.validUntil.getTime() < season.validUntil.getTime();
}
