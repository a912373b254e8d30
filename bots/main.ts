/**
 * `npm start`: the product process. Assembles the core, attaches every configured channel to it,
 * serves the HTTP endpoints, and says which channels are off and how to turn them on.
 */
import { startCore } from '../src/app.ts';
import { startScheduler } from '../src/campaign/index.ts';
import { registryFolderTick } from '../src/import/index.ts';
import { registryReach } from '../src/import/index.ts';
import { ConfigError, loadConfig } from '../src/config/index.ts';
import type { ChannelAdapter } from './channel.ts';
import { createOutboxDispatcher } from './outbox.ts';
import { startupSummary } from './startup-summary.ts';
import { TelegramChannel } from './telegram/channel.ts';
import { createWhatsAppChannel } from './whatsapp/channel.ts';
import { missingV8Flags } from '../src/v8-tuning.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const core = await startCore(config);
  const { logger } = core;
  const missing = missingV8Flags();
  if (missing.length > 0) logger.warn({ missing }, 'started without the V8 flags of the start command (npm start, deploy/systemd): see src/v8-tuning.ts');
  void core.db.thread?.died.then((err) => {
    logger.fatal({ err }, 'the embedded database thread stopped; exiting so that the service is started again');
    process.exit(1);
  });
  const channels: ChannelAdapter[] = [];

  if (config.telegram) channels.push(new TelegramChannel(core, config.telegram));
  else logger.info('Telegram is off: set TELEGRAM_BOT_TOKEN (from @BotFather) to turn it on; see docs/telegram.md.');
  const whatsapp = createWhatsAppChannel(core);
  if (whatsapp) channels.push(whatsapp);
  else {
    logger.info(
      'WhatsApp is off: set WHATSAPP_TOKEN, WHATSAPP_PHONE_NUMBER_ID, WHATSAPP_APP_SECRET and WHATSAPP_VERIFY_TOKEN to turn it on; see docs/whatsapp.md.',
    );
  }

  if (config.sms)
    logger.info(
      { provider: config.sms.provider, dailyBudget: config.sms.dailyBudget },
      'SMS is on: the last resort for parents with SMS consent and no reachable chat',
    );
  else logger.info('SMS is off: set SMS_PROVIDER=mobizon, MOBIZON_API_KEY and SMS_DAILY_BUDGET to turn it on.');

  const port = await core.http.listen(config.env.PORT);
  for (const channel of channels) await channel.start();
  const summary = startupSummary(core, channels, port);
  // After the channels: Telegram's username comes from getMe at start.
  const links = core.links.describe();
  if (links.deepLinks) {
    const off = [
      ...(links.telegram ? [] : ['Telegram (TELEGRAM_BOT_TOKEN or TELEGRAM_BOT_USERNAME)']),
      ...(links.whatsapp ? [] : ['WhatsApp (WHATSAPP_DISPLAY_NUMBER)']),
      ...(links.smsPages ? [] : ['SMS pages (PUBLIC_URL)']),
    ];
    logger.info({ links }, off.length > 0 ? `deep links are on; off until configured: ${off.join(', ')}` : 'deep links are on');
  }

  // Reminders and stop-list notices: the outbox dispatcher runs on every instance.
  const outbox = createOutboxDispatcher(core);
  const scheduler = startScheduler(core, {
    ...(outbox ? { dispatch: async () => void (await outbox.tick()) } : {}),
    ...(core.console ? { sweepSessions: () => core.console!.sessions.sweep() } : {}),
    ...(core.config.env.REGISTRY_IMPORT_DIR
      ? {
          registrySync: () =>
            registryFolderTick({
              dir: core.config.env.REGISTRY_IMPORT_DIR!,
              target: core.db,
              db: core.db.prisma,
              clock: core.clock,
              logger: core.logger.child({ component: 'registry-sync' }),
              instanceId: core.config.campaign.instanceId,
              reach: registryReach(core.config.campaign.reach),
            }),
        }
      : {}),
  });

  logger.info(summary, 'kindergarten queue assistant is running');
  if (channels.length === 0) logger.info('No messaging channel is on. Try the whole conversation in the terminal: npm run chat');
  // On the terminal only, never in the structured log: the demo admin's password, this once.
  if (core.demoAdmin)
    console.log(
      `\nOperator console: ${summary.console}\n  user: ${core.demoAdmin.username}\n  password: ${core.demoAdmin.password}\n  (shown once; add people under Users, or: npm run ops -- user add NAME --role operator)\n`,
    );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    // Readiness answers 503 from now on: balancers stop sending here while the rest drains.
    core.health.startDraining();
    logger.info({ signal }, 'shutting down: no new updates, finishing the ones in flight');
    await scheduler.stop();
    // No new sends; the ones in flight finish; rows claimed by this instance go back to PENDING.
    await outbox?.stop();
    for (const channel of channels) await channel.stop();
    await core.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
