/**
 * The Telegram channel: a grammY bot on the shared core.
 *
 * - Long polling (no TELEGRAM_WEBHOOK_URL): the webhook is deleted (pending updates kept) and
 *   @grammyjs/runner fetches updates; `sequentialize` keeps one chat's updates in order while
 *   different chats run in parallel.
 * - Webhook (TELEGRAM_WEBHOOK_URL set): POST /webhooks/telegram on the core's HTTP server, secret
 *   token checked; a KeyedQueue keeps one chat's updates in order on this instance (and the
 *   runtime's optimistic locking across instances).
 * - Outgoing calls: @grammyjs/auto-retry for 429 / 5xx answers and a bounded retry of network
 *   failures, both with bounded attempts and delays.
 * - Stop: no new updates (runner stopped / webhook answers 503), then the ones in flight finish.
 */
import { run, sequentialize, type RunnerHandle } from '@grammyjs/runner';
import { autoRetry } from '@grammyjs/auto-retry';
import { Bot, GrammyError, type Context, type MiddlewareFn, type Transformer } from 'grammy';
import type { Update } from 'grammy/types';
import type { Core } from '../../src/app.ts';
import { KeyedQueue } from '../../src/concurrency/index.ts';
import type { Config } from '../../src/config/index.ts';
import { INBOX_STALE_AFTER_MS, markProcessed, unprocessedInbound } from '../../src/inbox/index.ts';
import type { Logger } from '../../src/log.ts';
import type { ChannelAdapter } from '../channel.ts';
import { registerCommands } from './commands.ts';
import { countApiRequests } from './api-metrics.ts';
import { describeApiError } from './errors.ts';
import { MAX_ATTEMPTS } from './channel-limits.ts';
import { retryNetworkErrors } from './network-retry.ts';
import { UpdatePipeline, type PipelineOptions } from './pipeline.ts';
import { TelegramFiles } from './files.ts';
import { ALLOWED_UPDATES, chatIdOf, storedUpdateSchema } from './updates.ts';
import { WEBHOOK_PATH, webhookHandler } from './webhook.ts';

export type TelegramSettings = NonNullable<Config['telegram']>;

export interface TelegramChannelOptions extends PipelineOptions {
  /** getUpdates long-poll timeout (seconds); default 30. */
  pollTimeoutSeconds?: number;
  /** Bounds of @grammyjs/auto-retry; default 3 attempts, retry_after up to 10 s. */
  retry?: { maxRetryAttempts: number; maxDelaySeconds: number };
  /** Pauses before retrying a call that failed on the network; default 0.5 s, 2 s. */
  networkRetryDelaysMs?: number[];
  /** The webhook answers 200 after this long even if the update is still being handled. */
  webhookAnswerWithinMs?: number;
}

/** Bot API requests give up after this long (getUpdates holds up to the long-poll timeout). */
const REQUEST_TIMEOUT_SECONDS = 75;

export class TelegramChannel implements ChannelAdapter {
  readonly name = 'TELEGRAM' as const;
  readonly mode: 'polling' | 'webhook';
  readonly bot: Bot;
  readonly pipeline: UpdatePipeline;
  private readonly queue = new KeyedQueue();
  private readonly inflight = new Set<Promise<unknown>>();
  private runner: RunnerHandle | null = null;
  private accepting = false;

  constructor(
    private readonly core: Core,
    private readonly settings: TelegramSettings,
    private readonly opts: TelegramChannelOptions = {},
  ) {
    this.mode = settings.webhookUrl ? 'webhook' : 'polling';
    if (this.mode === 'webhook' && !settings.webhookSecret) throw new Error('TELEGRAM_WEBHOOK_SECRET is required in webhook mode');
    this.bot = new Bot(settings.token, {
      client: { apiRoot: settings.apiRoot.replace(/\/+$/, ''), timeoutSeconds: REQUEST_TIMEOUT_SECONDS },
    });
    // The last transformer installed is the outermost: network failures are retried closest to
    // the wire, rate limits and server errors around them.
    this.bot.api.config.use(
      countApiRequests(core.metrics),
      logPollingFailures(core.logger),
      retryNetworkErrors(opts.networkRetryDelaysMs),
      autoRetry({ ...(opts.retry ?? { maxRetryAttempts: 3, maxDelaySeconds: 10 }), rethrowHttpErrors: true }),
    );
    this.pipeline = new UpdatePipeline(core, { ...opts, files: new TelegramFiles(this.bot.api, settings.token, settings.apiRoot) });
    this.bot.use(this.track());
    if (this.mode === 'polling') this.bot.use(sequentialize((ctx: Context) => chatKey(ctx.update)));
    this.bot.use(this.pipeline.middleware());
    // The pipeline catches everything; this only guards against a bug in the middleware itself.
    this.bot.catch((err) => core.logger.error({ updateId: err.ctx.update.update_id, err: err.error }, 'telegram: middleware failed'));
  }

  async start(): Promise<void> {
    const { logger, translator } = this.core;
    try {
      await this.bot.init();
    } catch (err) {
      if (err instanceof GrammyError && err.error_code === 401) {
        throw new Error('Telegram refused TELEGRAM_BOT_TOKEN (401 Unauthorized): copy the token again from @BotFather');
      }
      throw err;
    }
    // Deep links name the bot: t.me/<username>?start=<token>.
    if (this.core.links.learnTelegramBot(this.bot.botInfo.username).conflict) {
      logger.warn({ bot: this.bot.botInfo.username }, 'telegram: TELEGRAM_BOT_USERNAME names another bot than the token does; deep links open that one');
    }
    try {
      await registerCommands(this.bot.api, translator);
    } catch (err) {
      logger.warn(describeApiError(err), 'telegram: registering the command menu failed; commands still work when typed');
    }
    await this.recover();

    if (this.mode === 'webhook') {
      this.core.http.route(
        'POST',
        WEBHOOK_PATH,
        webhookHandler({
          secret: this.settings.webhookSecret!,
          accept: (update, reply) => {
            this.pipeline.answersVia(update, reply);
            return this.queue.run(chatKey(update) ?? `update:${update.update_id}`, () => this.bot.handleUpdate(update));
          },
          accepting: () => this.accepting,
          logger,
          answerWithinMs: this.opts.webhookAnswerWithinMs,
        }),
      );
      this.accepting = true;
      const url = webhookUrl(this.settings.webhookUrl!);
      await this.bot.api.setWebhook(url, {
        secret_token: this.settings.webhookSecret!,
        allowed_updates: [...ALLOWED_UPDATES],
        drop_pending_updates: false,
      });
      logger.info({ bot: this.bot.botInfo.username, url }, 'telegram: webhook set');
      return;
    }

    await this.bot.api.deleteWebhook({ drop_pending_updates: false });
    this.runner = run(this.bot, {
      runner: {
        fetch: { timeout: this.opts.pollTimeoutSeconds ?? 30, allowed_updates: [...ALLOWED_UPDATES] },
        silent: true,
      },
    });
    this.runner
      .task()
      ?.catch((err: unknown) =>
        logger.error(describeApiError(err), 'telegram: long polling stopped (another instance polling with this token, or a webhook set?)'),
      );
    logger.info({ bot: this.bot.botInfo.username }, 'telegram: long polling started');
  }

  async stop(): Promise<void> {
    this.accepting = false;
    const runner = this.runner;
    this.runner = null;
    if (runner?.isRunning()) await runner.stop();
    await this.queue.drain();
    await this.idle();
  }

  /** Resolves when no update is being handled (tests; graceful stop). */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
    await this.pipeline.idle();
  }

  /** Counts updates from the moment they arrive, including those waiting for their chat's turn. */
  private track(): MiddlewareFn<Context> {
    return (_ctx, next) => {
      const work = next();
      this.inflight.add(work);
      return work.finally(() => this.inflight.delete(work));
    };
  }

  /** Updates whose handling died half-way in an earlier run are handled now (see claimStaleInbound in src/inbox/inbox.ts). */
  private async recover(): Promise<void> {
    const rows = await unprocessedInbound(this.core.db.prisma, 'TELEGRAM', new Date(Date.now() - INBOX_STALE_AFTER_MS));
    for (const row of rows) {
      if (row.attempts >= MAX_ATTEMPTS) continue;
      const stored = storedUpdateSchema.safeParse(row.payload);
      if (!stored.success) {
        this.core.logger.warn({ updateId: row.externalId }, 'telegram: a stored update is unreadable; settled without handling');
        await markProcessed(this.core.db.prisma, 'TELEGRAM', row.externalId, this.core.clock.now());
        continue;
      }
      this.core.logger.info({ updateId: row.externalId }, 'telegram: handling an update left unfinished by an earlier run');
      // Reason: the schema checks what the pipeline relies on (an update id); grammY reads the rest as Telegram sent it.
      await this.bot.handleUpdate(stored.data as unknown as Update);
    }
  }
}

function chatKey(update: Update): string | undefined {
  const id = chatIdOf(update);
  return id === null ? undefined : String(id);
}

/** TELEGRAM_WEBHOOK_URL is the service's public URL; the webhook path is added unless given. */
export function webhookUrl(configured: string): string {
  const url = new URL(configured);
  if (!url.pathname.endsWith(WEBHOOK_PATH)) url.pathname = url.pathname.replace(/\/+$/, '') + WEBHOOK_PATH;
  return url.toString();
}

/** Failed getUpdates calls (the runner retries them silently) are worth a line in the log. */
function logPollingFailures(logger: Logger): Transformer {
  return async (prev, method, payload, signal) => {
    try {
      const result = await prev(method, payload, signal);
      if (method === 'getUpdates' && !result.ok) logger.warn({ code: result.error_code, description: result.description }, 'telegram: getUpdates failed');
      return result;
    } catch (err) {
      if (method === 'getUpdates' && !signal?.aborted) logger.warn(describeApiError(err), 'telegram: getUpdates failed');
      throw err;
    }
  };
}
