/**
 * The campaign's outbox dispatcher for this process: a notifier per configured channel (the
 * channels' own render and transport code), the shared core's database, clock and settings.
 * Returns null when no channel that can carry a notification is on. Rows to a registry phone (an
 * SMS, a template to an unlinked parent) take the parent's registry language; an SMS carries the link to its page (the bots, the stop button).
 */
import type { Core } from '../src/app.ts';
import { createDispatcher, type Dispatcher } from '../src/campaign/index.ts';
import type { NotificationSender } from '../src/campaign/index.ts';
import { deepLinksFor } from '../src/campaign/index.ts';
import { SmsNotifier } from '../src/campaign/index.ts';
import { MobizonProvider } from './sms/mobizon.ts';
import { countApiRequests } from './telegram/api-metrics.ts';
import { TelegramNotifier } from './telegram/notifier.ts';
import { MeteredTransport } from './whatsapp/metered-transport.ts';
import { CloudApiTransport } from './whatsapp/cloud-api-transport.ts';
import { CAMPAIGN_TEMPLATES, WhatsAppNotifier } from './whatsapp/notifier.ts';

export function createOutboxDispatcher(core: Pick<Core, 'config' | 'db' | 'clock' | 'logger' | 'translator' | 'links' | 'metrics'>): Dispatcher | null {
  const { config } = core;
  const senders: NotificationSender[] = [];
  if (config.telegram) {
    const notifier = new TelegramNotifier({ token: config.telegram.token, apiRoot: config.telegram.apiRoot, translator: core.translator });
    notifier.api.config.use(countApiRequests(core.metrics));
    senders.push(notifier);
  }
  if (config.whatsapp) {
    const w = config.whatsapp;
    const transport = new CloudApiTransport({
      token: w.token,
      phoneNumberId: w.phoneNumberId,
      apiRoot: w.apiRoot,
      apiVersion: w.apiVersion,
      timeoutMs: 30_000,
    });
    senders.push(new WhatsAppNotifier(new MeteredTransport(transport, core.metrics), core.translator));
  }
  const sms = config.sms;
  if (sms) {
    senders.push(
      new SmsNotifier({
        provider: new MobizonProvider({ apiKey: sms.apiKey, apiRoot: sms.apiRoot, timeoutMs: 30_000 }),
        translator: core.translator,
        db: core.db.prisma,
        clock: core.clock,
        dailyBudget: sms.dailyBudget,
        window: config.campaign.window,
        ...(sms.from ? { from: sms.from } : {}),
      }),
    );
  }
  if (senders.length === 0) return null;
  return createDispatcher({
    prisma: core.db.prisma,
    dbKind: core.db.kind,
    senders,
    settings: sms ? { ...config.campaign, ratePerSecond: { ...config.campaign.ratePerSecond, SMS: sms.ratePerSecond } } : config.campaign,
    clock: core.clock,
    logger: core.logger.child({ component: 'outbox' }),
    instanceId: config.campaign.instanceId,
    templates: CAMPAIGN_TEMPLATES,
    deepLinks: deepLinksFor(core.db.prisma, core.links),
    onSent: (channel, kind) => core.metrics.outboxSent.inc({ channel, kind }),
  });
}
