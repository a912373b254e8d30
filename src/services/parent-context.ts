/**
 * What every action of a linked parent starts from: the parent linked to the chat and the current
 * season. Read together in one statement, since each conversation step that acts for a parent
 * needs both and a round trip costs more than the two lookups.
 */
import type { Channel } from '../generated/prisma/client.ts';
import type { Db } from './db.ts';
import type { SeasonRef } from './seasons.ts';

export interface ParentContext {
  /** Always the parent of the chat's link: never taken from input. */
  parentId: number;
  /** The season that opened last, as of `now` (as getCurrentSeason); null before the first. */
  season: SeasonRef | null;
}

interface Row {
  parentId: number;
  seasonId: number | null;
  code: string | null;
  opensAt: Date | null;
  deadline: Date | null;
  validUntil: Date | null;
}

/** Null when the chat is not linked to a parent. Columns as in prisma/schema.prisma (ChatLink, Season). */
export async function loadParentContext(db: Db, channel: Channel, chatId: string, now: Date): Promise<ParentContext | null> {
  const rows = await db.$queryRaw<Row[]>`
    SELECT l."parentId", s.id AS "seasonId", s.code, s."opensAt", s.deadline, s."validUntil"
    FROM chat_links l
    LEFT JOIN LATERAL (
      SELECT id, code, "opensAt", deadline, "validUntil" FROM seasons
      WHERE "opensAt" <= ${now}::timestamp(3)
      ORDER BY "opensAt" DESC, id DESC
      LIMIT 1
    ) s ON true
    WHERE l.channel = ${channel}::"Channel" AND l."chatId" = ${chatId}`;
  const row = rows[0];
  if (!row) return null;
  const { seasonId, code, opensAt, deadline, validUntil } = row;
  const season = seasonId !== null && code !== null && opensAt && deadline && validUntil ? { id: seasonId, code, opensAt, deadline, validUntil } : null;
  return { parentId: row.parentId, season };
}
