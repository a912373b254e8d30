/**
 * The SMS route of the season simulation: the product's SMS notifier and Mobizon provider against
 * the loopback provider double, with the real daily budget of parts.
 */
import { MobizonProvider } from '../../bots/sms/mobizon.ts';
import type { ManualClock } from '../../src/clock.ts';
import type { NotificationSender } from '../../src/campaign/senders.ts';
import { SmsNotifier } from '../../src/campaign/sms/notifier.ts';
import type { DaytimeWindow } from '../../src/campaign/schedule.ts';
import type { Db } from '../../src/services/db.ts';
import { sharedTranslator } from '../../test-support/dispatch-harness.ts';
import { MobizonDouble } from '../../test-support/fakes/mobizon.ts';

const API_KEY = 'sim-mobizon-key-0123456789abcdef0123456789';

export async function simSmsSender(
  db: Db,
  clock: ManualClock,
  budget: number,
  window: DaytimeWindow,
): Promise<{ sender: NotificationSender; close(): Promise<void> }> {
  const double = await MobizonDouble.start({ apiKey: API_KEY, senderNames: ['KEZEK'] });
  const sender = new SmsNotifier({
    provider: new MobizonProvider({ apiKey: API_KEY, apiRoot: double.apiRoot, timeoutMs: 10_000 }),
    translator: await sharedTranslator(),
    db,
    clock,
    dailyBudget: budget,
    window,
    from: 'KEZEK',
  });
  return { sender, close: () => double.close() };
}
