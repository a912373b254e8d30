/**
 * The campaign's outbox dispatcher for this process: a notifier per configured channel (the
 * channels' own render and transport code), the shared core's database, clock and settings.
 * Returns null when no channel that can carry a notification is on.
 */
import type { Core } from '../src/app.ts';
import { createDispatcher, type Dispatcher } from '../src/campaign/outbox/dispatcher.ts';
import type { NotificationSender } from '../src/campaign/senders.ts';
import { TelegramNotifier } from './telegram/notifier.ts';
import { CloudApiTransport } from './whatsapp/cloud-api-transport.ts';
import { CAMPAIGN_TEMPLATES, WhatsAppNotifier } from './whatsapp/notifier.ts';

export function createOutboxDispatcher(core: Pick<Core, 'config' | 'db' | 'clock' | 'logger' | 'translator'>): Dispatcher | null {
  const { config } = core;
  const senders: NotificationSender[] = [];
  if (config.telegram) senders.push(new TelegramNotifier({ token: config.telegram.token, apiRoot: config.telegram.apiRoot, translator: core.translator }));
  if (config.whatsapp) {
    const w = config.whatsapp;
    const transport = new CloudApiTransport({ token: w.token, phoneNumberId: w.phoneNumberId, apiRoot: w.apiRoot, apiVersion: w.apiVersion, timeoutMs: 30_000 });
    senders.push(new WhatsAppNotifier(transport, core.translator));
  }
  if (senders.length === 0) return null;
  return createDispatcher({
    prisma: core.db.prisma,
    dbKind: core.db.kind,
    senders,
    settings: config.campaign,
    clock: core.clock,
    logger: core.logger.child({ component: 'outbox' }),
    instanceId: config.campaign.instanceId,
    templates: CAMPAIGN_TEMPLATES,
  });
}
