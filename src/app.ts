/**
 * The platform-neutral core assembled: configuration, logger, database (migrated, seeded with the
 * demo registry when empty and allowed), texts, the conversation runtime and the HTTP server the
 * channels attach to. Channels are started by the process entry (bots/main.ts), never from here.
 */
import { systemClock, type Clock } from './clock.ts';
import type { Config } from './config/env.ts';
import { ConversationRuntime } from './conversation/runtime.ts';
import { KindergartenPages } from './services/kindergarten-pages.ts';
import { openDatabase, type Database } from './db/client.ts';
import { isDatabaseEmpty, seedDemo } from './db/seed/index.ts';
import { HttpServer } from './http/server.ts';
import { createTranslator, type Translator } from './i18n/translator.ts';
import { LinkService } from './links/links.ts';
import { resolveLinkSecret } from './links/secret.ts';
import { registerSmsPage } from './links/sms-page.ts';
import { createLogger, type Logger } from './log.ts';
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
}

/** Opens (and migrates) the configured database, then assembles the core on it. */
export async function startCore(config: Config, opts: CoreOptions = {}): Promise<Core> {
  const logger = opts.logger ?? createLogger(config.env.LOG_LEVEL);
  const started = Date.now();
  const db = await openDatabase(config.database);
  logger.info({ database: db.kind, ms: Date.now() - started }, 'database ready');
  const link = await resolveLinkSecret(config).catch(async (err: unknown) => {
    await db.close();
    throw err;
  });
  if (link.source === null) {
    logger.info('Deep links are off: set LINK_SECRET (at least 32 characters, e.g. openssl rand -hex 32), the same on every instance; see README.');
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
    http.route('GET', '/healthz', async () => {
      try {
        await db.prisma.$queryRaw`SELECT 1`;
        return { status: 200, body: { status: 'ok', database: db.kind } };
      } catch {
        return { status: 503, body: { status: 'unavailable', database: db.kind } };
      }
    });
    registerSmsPage(http, { prisma: db.prisma, links, translator, clock, logger, portalUrl: config.portal.url });
    // One secret fewer to manage: without SESSION_SECRET the console's is derived from the link secret.
    const sessionSecret = config.console.sessionSecret ?? (linkSecret ? Buffer.from(hkdfSync('sha256', linkSecret, '', 'kq console session', 32)).toString('hex') : null);
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
    if (!consoleHandle) logger.info('The operator console is off: set SESSION_SECRET (at least 32 characters, e.g. openssl rand -hex 32), the same on every instance.');
    const demoAdmin = opts.demoAdmin && consoleHandle ? await ensureDemoAdmin(db.prisma) : null;
    return {
      config,
      logger,
      clock,
      db,
      translator,
      runtime,
      http,
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
