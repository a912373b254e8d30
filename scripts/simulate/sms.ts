/**
 * The SMS route of the season simulation: the product's SMS notifier against the loopback provider
 * double, with the daily budget. (Wired once the SMS channel lands.)
 */
import type { ManualClock } from '../../src/clock.ts';
import type { NotificationSender } from '../../src/campaign/senders.ts';
import type { Db } from '../../src/services/db.ts';

export async function simSmsSender(_db: Db, _clock: ManualClock, _budget: number): Promise<{ sender: NotificationSender }> {
  throw new Error('SMS is not available in this build: run with SIM_SMS=0');
}
