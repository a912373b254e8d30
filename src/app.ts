/**
 * The platform-neutral core assembled: configuration, logger, database (migrated, seeded with the
 * demo registry when empty and allowed), texts, the conversation runtime and the HTTP server the
 * channels attach to. Channels are started by the process entry (bots/main.ts), never from here.
 */
import { systemClock, type Clock } from './clock.ts';
import type { Config } from './config/env.ts';
import { ConversationRuntime } from './conversation/runtime/runtime.ts';
import { KindergartenPages } from './services/kindergarten-pages.ts';
import { openDatabase, type Database } from './db/client.ts';
import { isDatabaseEmpty, seedDemo } from './db/seed/index.ts';
import { HttpServer } from './http/server.ts';
import { Health } from './http/health.ts';
import { gaugesFromDatabase } from './metrics/db-gauges.ts';
import { registerMetricsEndpoint } from './metrics/endpoint.ts';
import { Metrics } from './metrics/metrics.ts';
import { createTranslator, type Translator } from './i18n/translator.ts';
import { LinkService } from './links/links.ts';
import { resolveLinkSecret } from './links/secret.ts';
import { registerSmsPage } from './links/sms-page.ts';
import { createLogger, wantsPrettyLogs, type Logger } from './log.ts';
import { ensureDemoAdmin } from './console/demo-admin.ts';
import { registerConsole, type ConsoleHandle } from './console/plugin.ts';
import { hkdfSync } from 'node:crypto';
import path from 'node:path';

export interface Core {
  config: Config;
  logger: Logger;
  clock: Clock;
  db: Database;
  translator: Translator;
  runtime: ConversationRuntime;
  http: HttpServer;
  /** This core's Prometheus registry (GET /metrics); channels and the outbox count into it. */
  metrics: Metrics;
  /** /healthz and /readyz; `startDraining` at the stop signal. */
  health: Health;
  /** Deep links and stop links; off (issuing nothing, refusing every token) without a secret. */
  links: LinkService;
  /** The operator console at /admin; null when no secret signs its sessions. */
  console: ConsoleHandle | null;
  /** The embedded demo database's first admin, made at this start (printed once by bots/main.ts). */
  demoAdmin: { username: string; password: string } | null;
  close(): Promise<void>;
}

export interface CoreOptions {
  logger?: Logger;
  clock?: Clock;
  /** Overrides config.seedDemo (tests seed their own fixtures). */
  seedDemo?: boolean;
  /** The secret that signs links; default LINK_SECRET (startCore also reads the embedded database's own). */
  linkSecret?: Buffer | null;
  /** Make the demo admin when there is no console account (startCore on the embedded database). */
  demoAdmin?: boolean;
  /** Default: a registry of its own with the process metrics. */
  metrics?: Metrics;
}

/** Opens (and migrates) the configured database, then assembles the core on it. */
export async function startCore(config: Config, opts: CoreOptions = {}): Promise<Core> {
  const logger = opts.logger ?? createLogger(config.env.LOG_LEVEL, undefined, { pretty: wantsPrettyLogs(config.env.LOG_PRETTY) });
  const started = Date.now();
  const db = await openDatabase(config.database);
  logger.info({ database: db.kind, ms: Date.now() - started }, 'database ready');
  const link = await resolveLinkSecret(config).catch(async (err: unknown) => {
    await db.close();
    throw err;
  });
  if (link.source === null) {
    logger.info('Deep links are off: set LINK_SECRET (at least 32 characters, e.g. openssl rand -hex 32), the same on every instance; see docs/deployment.md.');
  } else if (link.source === 'dataDir') {
    logger.info('Deep links are signed with the secret kept in DATA_DIR (the embedded database); set LINK_SECRET in production.');
  }
  return assembleCore(db, config, { demoAdmin: db.kind === 'embedded', ...opts, logger, linkSecret: link.secret });
}

/** The core on an open database (tests pass their own); closing the core closes the database. */
export async function assembleCore(db: Database, config: Config, opts: CoreOptions = {}): Promise<Core> {
  const logger = opts.logger ?? createLogger(config.env.LOG_LEVEL);
  const clock = opts.clock ?? systemClock;
  try {
    if ((opts.seedDemo ?? config.seedDemo) && (await isDatabaseEmpty(db.prisma))) {
      const t = Date.now();
      const summary = await seedDemo(db.prisma, { now: clock.now() });
      logger.info({ ...summary, ms: Date.now() - t }, 'demo registry seeded');
    }
    const translator = await createTranslator({
      portal: config.portal.url,
      supportPhone: config.portal.supportPhone,
      // A parent would see the raw key: worth an operator's attention, once per text.
      onMissing: (locale, key) => logger.error({ locale, key, alert: true }, 'a text is missing from the locales'),
    });
    const linkSecret = opts.linkSecret !== undefined ? opts.linkSecret : config.links.secret ? Buffer.from(config.links.secret, 'utf8') : null;
    const links = new LinkService(linkSecret, {
      telegramBot: config.links.telegramBotUsername,
      whatsappNumber: config.links.whatsappNumber,
      publicUrl: config.links.publicUrl,
    });
    const runtime = new ConversationRuntime({ prisma: db.prisma, config, clock, logger, kindergartenPages: new KindergartenPages(), links });
    const http = new HttpServer({ logger, trustProxy: config.console.trustProxy });
    const metrics = opts.metrics ?? new Metrics();
    instrument(metrics, db, config, clock, logger);
    registerMetricsEndpoint(http, metrics, config.metrics.token);
    const health = new Health(db, metrics);
    health.register(http);
    registerSmsPage(http, { prisma: db.prisma, links, translator, clock, logger, portalUrl: config.portal.url });
    // One secret fewer to manage: without SESSION_SECRET the console's is derived from the link secret.
    const sessionSecret =
      config.console.sessionSecret ?? (linkSecret ? Buffer.from(hkdfSync('sha256', linkSecret, '', 'kq console session', 32)).toString('hex') : null);
    const consoleHandle = sessionSecret
      ? registerConsole(http, {
          prisma: db.prisma,
          importTarget: db,
          translator,
          clock,
          logger,
          sessionSecret,
          secureCookies: config.console.secureCookies,
          reach: config.campaign.reach,
          identification: config.identification,
          idleMinutes: config.console.idleMinutes,
          workDir: path.resolve(config.env.DATA_DIR, 'console'),
        })
      : null;
    if (!consoleHandle)
      logger.info('The operator console is off: set SESSION_SECRET (at least 32 characters, e.g. openssl rand -hex 32), the same on every instance.');
    const demoAdmin = opts.demoAdmin && consoleHandle ? await ensureDemoAdmin(db.prisma) : null;
    return {
      config,
      logger,
      clock,
      db,
      translator,
      runtime,
      http,
      metrics,
      health,
      links,
      console: consoleHandle,
      demoAdmin,
      close: async () => {
        await http.close();
        await db.close();
      },
    };
  } catch (err) {
    await db.close();
    throw err;
  }
}

/** The core's own figures: statement times, the configured send rates, the database's gauges. */
function instrument(metrics: Metrics, db: Database, config: Config, clock: Clock, logger: Logger): void {
  const statement = metrics.statementSeconds.labels({ database: db.kind });
  db.statements.observe = (seconds) => statement.observe(seconds);
  // Every configured channel's series exist from the start at 0: rates and alerts see them before the first update.
  const channels = [...(config.telegram ? ['TELEGRAM'] : []), ...(config.whatsapp ? ['WHATSAPP'] : [])];
  for (const channel of channels) {
    for (const c of [metrics.updatesReceived, metrics.updatesProcessed, metrics.updatesDuplicate, metrics.updatesFailed]) c.inc({ channel }, 0);
  }
  const rates = config.campaign.ratePerSecond;
  if (config.telegram) metrics.sendRateLimit.set({ channel: 'TELEGRAM' }, rates.TELEGRAM);
  if (config.whatsapp) metrics.sendRateLimit.set({ channel: 'WHATSAPP' }, rates.WHATSAPP);
  if (config.sms) metrics.sendRateLimit.set({ channel: 'SMS' }, config.sms.ratePerSecond);
  gaugesFromDatabase(metrics, { db: db.prisma, clock, logger, identification: config.identification, whatsappTier: config.campaign.whatsappTier });
}
