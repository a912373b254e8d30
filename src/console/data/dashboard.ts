/** The dashboard's numbers: the campaign's progress plus extensions by channel and by day. */
import { campaignProgress, type CampaignProgress } from '../../campaign/progress.ts';
import { currentSeason } from '../../campaign/seasons.ts';
import type { ReachSettings } from '../../config/env.ts';
import type { Season } from '../../generated/prisma/client.ts';
import type { Db } from '../../services/db.ts';

export interface DashboardData {
  season: Season;
  progress: CampaignProgress;
  /** Applications extended this season, by where: the bots, or anywhere else (portal, console, imports). */
  extendedBy: { TELEGRAM: number; WHATSAPP: number; other: number };
  /** Extensions per Asia/Almaty day of this season, oldest first. */
  perDay: { day: string; count: number }[];
  stopListed: number;
  delivery: { sent: number; failed: number; rate: number | null };
}

export async function dashboardData(db: Db, now: Date, reach: ReachSettings): Promise<DashboardData | null> {
  const season = (await currentSeason(db, now)) ?? (await db.season.findFirst({ orderBy: { opensAt: 'desc' } }));
  if (!season) return null;
  const [progress, byChannel, perDay, [stopListed]] = await Promise.all([
    campaignProgress(db, season, now, reach),
    db.$queryRaw<{ channel: string; n: number }[]>`
      SELECT channel::text AS channel, count(DISTINCT "applicationId")::int AS n
      FROM extensions WHERE "seasonId" = ${season.id}::int AND kind = 'EXTEND' GROUP BY channel`,
    db.$queryRaw<{ day: string; n: number }[]>`
      SELECT to_char(("createdAt" AT TIME ZONE 'UTC') AT TIME ZONE 'Asia/Almaty', 'YYYY-MM-DD') AS day, count(*)::int AS n
      FROM extensions WHERE "seasonId" = ${season.id}::int AND kind = 'EXTEND' GROUP BY 1 ORDER BY 1`,
    db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM applications WHERE status = 'STOP_LISTED'`,
  ]);
  const of = (c: string) => byChannel.find((r) => r.channel === c)?.n ?? 0;
  const total = byChannel.reduce((s, r) => s + r.n, 0);
  const { sent, failed } = progress.outbox;
  return {
    season,
    progress,
    extendedBy: { TELEGRAM: of('TELEGRAM'), WHATSAPP: of('WHATSAPP'), other: total - of('TELEGRAM') - of('WHATSAPP') },
    perDay: perDay.map((r) => ({ day: r.day, count: r.n })),
    stopListed: stopListed?.n ?? 0,
    delivery: { sent, failed, rate: sent + failed > 0 ? Math.round((1000 * sent) / (sent + failed)) / 10 : null },
  };
}
