/** The season a command works on: --season CODE, else the current one. */
import type { Season } from '../../generated/prisma/client.ts';
import type { Db } from '../../services/db.ts';
import { currentSeason, getSeason } from '../../campaign/seasons.ts';
import { UsageError } from '../context.ts';

export async function resolveSeason(db: Db, code: string | undefined, now: Date, command: string): Promise<Season> {
  const season = code === undefined ? await currentSeason(db, now) : await getSeason(db, code);
  if (season) return season;
  throw new UsageError(
    code === undefined
      ? 'Нет открытого сезона; укажите --season КОД (список: season show) / No open season; give --season CODE (see season show)'
      : `Сезон ${code} не найден (список: season show) / Season ${code} not found (see season show)`,
    command,
  );
}
