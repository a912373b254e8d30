/**
 * THE demand aggregation: how many choices name each kindergarten, by rank. Parents see its
 * total over active applications in the kindergarten picker; the questionnaire statistics show
 * it by rank over a season's questionnaires and next to the application figure. One grouped
 * query per source, never rows loaded.
 */
import { Prisma } from '../generated/prisma/client.ts';
import type { Db } from './db.ts';

/** Active applications (the picker's figure) or the questionnaires of one season. */
export type DemandSource = { kind: 'applications' } | { kind: 'questionnaires'; seasonId: number };

export interface Demand {
  first: number;
  second: number;
  third: number;
  /** All choices, whatever the rank. */
  total: number;
}

export const NO_DEMAND: Demand = Object.freeze({ first: 0, second: 0, third: 0, total: 0 });

function choicesSql(source: DemandSource): Prisma.Sql {
  return source.kind === 'applications'
    ? Prisma.sql`SELECT c."kindergartenId" AS id, c.rank FROM application_choices c
                 JOIN applications a ON a.id = c."applicationId" WHERE a.status = 'ACTIVE'`
    : Prisma.sql`SELECT c."kindergartenId" AS id, c.rank FROM questionnaire_choices c
                 JOIN questionnaires q ON q.id = c."questionnaireId" WHERE q."seasonId" = ${source.seasonId}::int`;
}

/** Demand per kindergarten id; `ids` limits it to those kindergartens (absent ones have none). */
export async function demandByKindergarten(db: Db, source: DemandSource, ids?: readonly number[]): Promise<Map<number, Demand>> {
  if (ids && ids.length === 0) return new Map();
  const only = ids ? Prisma.sql`WHERE ch.id = ANY(${[...ids]}::int[])` : Prisma.empty;
  const rows = await db.$queryRaw<({ id: number } & Demand)[]>`
    SELECT ch.id,
           count(*) FILTER (WHERE ch.rank = 1)::int AS first,
           count(*) FILTER (WHERE ch.rank = 2)::int AS second,
           count(*) FILTER (WHERE ch.rank = 3)::int AS third,
           count(*)::int AS total
    FROM (${choicesSql(source)}) ch
    ${only}
    GROUP BY ch.id`;
  return new Map(rows.map(({ id, ...d }) => [id, d]));
}
