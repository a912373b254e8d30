/**
 * The one record `npm start` writes once everything runs: where the service is, what it runs on
 * and which channels are on — the first thing a person reads after starting it (printed as
 * indented lines under the message with LOG_PRETTY, one JSON object otherwise).
 */
import type { Core } from '../src/app.ts';
import type { ChannelAdapter } from './channel.ts';
import { TelegramChannel } from './telegram/channel.ts';

export interface StartupSummary {
  port: number;
  database: string;
  telegram: string;
  whatsapp: string;
  sms: string;
  console: string;
  health: string;
  metrics: string;
}

export function startupSummary(core: Pick<Core, 'config' | 'db' | 'console'>, channels: readonly ChannelAdapter[], port: number): StartupSummary {
  const { config } = core;
  const base = config.links.publicUrl ?? `http://localhost:${port}`;
  const telegram = channels.find((c) => c instanceof TelegramChannel);
  return {
    port,
    database: config.database.kind === 'embedded' ? `embedded (${config.database.dataDir})` : `PostgreSQL (${hostOf(config.database.url)})`,
    telegram: telegram ? `on (${telegram.mode})` : 'off (set TELEGRAM_BOT_TOKEN)',
    whatsapp: channels.some((c) => c.name === 'WHATSAPP') ? 'on' : 'off (set the four WHATSAPP_* credentials)',
    sms: config.sms ? `on (${config.sms.provider}, ${config.sms.dailyBudget} parts a day)` : 'off',
    console: core.console ? `${base}/admin` : 'off (set SESSION_SECRET or LINK_SECRET)',
    health: `${base}/healthz, ${base}/readyz`,
    metrics: `${base}/metrics${config.metrics.token ? ' (bearer METRICS_TOKEN)' : ' (open: set METRICS_TOKEN or keep it private)'}`,
  };
}

/** The server and database of a connection string, never its user or password. */
function hostOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
  } catch {
    return 'configured';
  }
}
