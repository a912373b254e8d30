/**
 * Taking over an update that was recorded in the inbox but never finished — the process handling
 * it died. Telegram redelivers such an update (webhook without an answer), and on start the
 * channel replays the ones left behind (polling had already confirmed them). A recorded update
 * still in flight elsewhere is recent, so only updates older than `staleBefore` are taken, and the
 * take-over is one conditional UPDATE, so two instances never both take the same update. After
 * MAX_ATTEMPTS an update is given up (a poison update must not crash the bot forever).
 */
import type { Db } from '../../src/services/db.ts';

export const MAX_ATTEMPTS = 3;
/** Long enough that an update being handled right now is never taken over. */
export const STALE_AFTER_MS = 2 * 60_000;

export async function claimStaleInbound(db: Db, externalId: string, staleBefore: Date): Promise<boolean> {
  const { count } = await db.inboundUpdate.updateMany({
    where: { channel: 'TELEGRAM', externalId, processedAt: null, receivedAt: { lt: staleBefore }, attempts: { lt: MAX_ATTEMPTS } },
    data: { receivedAt: new Date(), attempts: { increment: 1 } },
  });
  return count === 1;
}
