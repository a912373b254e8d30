/**
 * The WhatsApp channel on the product's HTTP server (`/webhooks/whatsapp`):
 * - GET: the verify-token handshake;
 * - POST: checked against `X-Hub-Signature-256`, every message and status of the delivery recorded
 *   in the inbox first (a redelivery is recognised there), answered 200, then processed — one
 *   chat's messages in order, chats in parallel. A crash after the 200 loses nothing: updates
 *   recorded and not processed are picked up at start and periodically.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Core } from '../../src/app.ts';
import { KeyedQueue } from '../../src/concurrency/index.ts';
import type { Config } from '../../src/config/index.ts';
import type { Output } from '../../src/conversation/index.ts';
import type { TextLocale } from '../../src/i18n/index.ts';
import { maskPhone } from '../../src/domain/index.ts';
import type { Prisma } from '../../src/db/index.ts';
import type { HttpRequest, HttpResponse } from '../../src/http/index.ts';
import { claimStaleInbound, countAttempt, markProcessed, recordInbound, unprocessedInbound } from '../../src/inbox/index.ts';
import { recordUndeliverableAddress, REGISTRY_DEFAULT_LOCALE } from '../../src/campaign/index.ts';
import { markUnreachable, recordInboundActivity } from '../../src/services/index.ts';
import type { FileSource } from '../../src/services/index.ts';
import type { ChannelAdapter } from '../channel.ts';
import { CloudApiTransport } from './cloud-api-transport.ts';
import { converse } from './conversation.ts';
import { MeteredTransport } from './metered-transport.ts';
import { parseWebhook, senderPhone, sentAt, storedUpdateSchema, toInput, type InboundStatus, type StoredUpdate, type WebhookEvent } from './inbound.ts';
import { renderOutputs } from './render.ts';
import { DEFAULT_RETRY, sendWithRetry, sleep, type RetryPolicy, type Sleep } from './retry.ts';
import { isSignedByMeta } from './signature.ts';
import { applyStatus, isTrackedStatus } from './statuses.ts';
import { WhatsAppSendError, type WhatsAppTransport } from './transport.ts';

export const WEBHOOK_PATH = '/webhooks/whatsapp';

type WhatsAppConfig = NonNullable<Config['whatsapp']>;
type ChannelCore = Pick<Core, 'logger' | 'clock' | 'db' | 'translator' | 'runtime' | 'http' | 'metrics'>;

export interface WhatsAppChannelOptions {
  /** Defaults to the Cloud API transport built from the configuration. */
  transport?: WhatsAppTransport;
  retry?: Partial<RetryPolicy>;
  /** Waiting between retries (tests pass a fast one). */
  sleep?: Sleep;
  /** How often recorded-but-unprocessed updates are looked for. */
  recoveryIntervalMs?: number;
  /** Only updates recorded at least this long ago are recovered (younger ones are still in flight). */
  recoveryAgeMs?: number;
  /** A message that failed this many times is given up (logged), so it cannot block its chat forever. */
  maxAttempts?: number;
}

/** What the inbox keeps of an update until it is processed. */
type Stored = StoredUpdate;

const CHANNEL = 'WHATSAPP' as const;
// 131047 (window closed) is not among them: the parent is still reachable by template.
const UNREACHABLE_CODES = new Set([131026]);

export class WhatsAppChannel implements ChannelAdapter {
  readonly name = CHANNEL;
  readonly transport: WhatsAppTransport;
  private readonly queue = new KeyedQueue();
  private readonly inFlight = new Set<string>();
  private readonly retry: RetryPolicy;
  private readonly wait: Sleep;
  private timer: NodeJS.Timeout | null = null;
  private accepting = true;
  private recovering: Promise<void> | null = null;
  /** Downloads the photos and documents parents send to the education department. */
  private readonly files: FileSource | undefined;

  constructor(
    private readonly core: ChannelCore,
    private readonly config: WhatsAppConfig,
    private readonly opts: WhatsAppChannelOptions = {},
  ) {
    const raw =
      opts.transport ??
      new CloudApiTransport({ token: config.token, phoneNumberId: config.phoneNumberId, apiRoot: config.apiRoot, apiVersion: config.apiVersion });
    this.transport = new MeteredTransport(raw, core.metrics);
    this.files = raw.fetchMedia ? { fetch: (ref, max) => raw.fetchMedia!(ref, max) } : undefined;
    this.retry = { ...DEFAULT_RETRY, ...opts.retry };
    this.wait = opts.sleep ?? sleep;
    core.http.route('GET', WEBHOOK_PATH, (req) => this.verify(req));
    core.http.route('POST', WEBHOOK_PATH, (req) => this.receive(req));
  }

  async start(): Promise<void> {
    this.accepting = true;
    await this.recover();
    const every = this.opts.recoveryIntervalMs ?? 30_000;
    this.timer = setInterval(() => void this.recover(), every);
    this.timer.unref();
    this.core.logger.info({ webhook: WEBHOOK_PATH }, 'WhatsApp channel is on');
  }

  async stop(): Promise<void> {
    // Meta redelivers what is refused now; what was accepted is finished first.
    this.accepting = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.recovering;
    await this.idle();
  }

  /** Resolves when every update accepted so far has been processed (tests, shutdown). */
  async idle(): Promise<void> {
    await this.queue.drain();
  }

  // ——— HTTP ———

  private verify(req: HttpRequest): HttpResponse {
    const mode = req.query.get('hub.mode');
    const token = req.query.get('hub.verify_token') ?? '';
    const challenge = req.query.get('hub.challenge') ?? '';
    if (mode === 'subscribe' && safeEqual(token, this.config.verifyToken)) {
      return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: challenge };
    }
    this.core.logger.warn({ mode }, 'WhatsApp webhook verification refused');
    return { status: 403, body: 'forbidden' };
  }

  private async receive(req: HttpRequest): Promise<HttpResponse> {
    if (!this.accepting) return { status: 503, body: 'shutting down' };
    if (!isSignedByMeta(req.body, req.headers['x-hub-signature-256'], this.config.appSecret)) {
      this.core.logger.warn({ bytes: req.body.length }, 'WhatsApp webhook with a missing or wrong signature refused');
      return { status: 401, body: 'bad signature' };
    }
    let payload: unknown;
    try {
      payload = JSON.parse(req.body.toString('utf8'));
    } catch {
      this.core.logger.warn('WhatsApp webhook body is not JSON');
      return { status: 400, body: 'malformed JSON' };
    }
    const { object, events } = parseWebhook(payload);
    if (object !== 'whatsapp_business_account') {
      this.core.logger.warn({ object }, 'WhatsApp webhook for another object ignored');
      return { status: 200, body: 'ignored' };
    }
    const accepted: { externalId: string; chatId: string; stored: Stored }[] = [];
    for (const event of events) {
      if (event.phoneNumberId !== this.config.phoneNumberId) {
        this.core.logger.warn({ phoneNumberId: event.phoneNumberId, kind: event.kind }, 'WhatsApp update for an unknown phone number id ignored');
        continue;
      }
      const item = toStored(event);
      this.core.metrics.updatesReceived.inc({ channel: CHANNEL });
      // Recorded before the 200: a crash from here on loses nothing; a redelivery is skipped.
      const fresh = await recordInbound(this.core.db.prisma, {
        channel: CHANNEL,
        externalId: item.externalId,
        chatId: item.chatId,
        // Parsed shapes of JSON: plain objects, strings, numbers and arrays only.
        payload: item.stored as Prisma.InputJsonValue,
      });
      if (fresh) accepted.push(item);
      else {
        this.core.metrics.updatesDuplicate.inc({ channel: CHANNEL });
        this.core.logger.debug({ externalId: item.externalId }, 'WhatsApp duplicate delivery skipped');
      }
    }
    for (const item of accepted) this.schedule(item.externalId, item.chatId, item.stored);
    return { status: 200, body: 'ok' };
  }

  // ——— processing ———

  private schedule(externalId: string, chatId: string, stored: Stored): void {
    if (this.inFlight.has(externalId)) return;
    this.inFlight.add(externalId);
    const key = stored.kind === 'message' ? chatId : `status:${chatId}`;
    const { metrics } = this.core;
    const stopTimer = metrics.updateSeconds.startTimer({ channel: CHANNEL });
    void this.queue
      .run(key, () => this.process(externalId, chatId, stored))
      .then((done) => (done ? metrics.updatesProcessed : metrics.updatesFailed).inc({ channel: CHANNEL }))
      .catch((err) => {
        metrics.updatesFailed.inc({ channel: CHANNEL });
        this.core.logger.error({ err, externalId }, 'WhatsApp update processing failed; it will be retried');
      })
      .finally(() => {
        stopTimer();
        this.inFlight.delete(externalId);
      });
  }

  /** False when the update was given up after too many failed attempts. */
  private async process(externalId: string, chatId: string, stored: Stored): Promise<boolean> {
    const { prisma } = this.core.db;
    const attempts = await countAttempt(prisma, CHANNEL, externalId);
    if (attempts > (this.opts.maxAttempts ?? 5)) {
      this.core.logger.error({ externalId, attempts }, 'WhatsApp update failed too many times and is given up');
      await markProcessed(prisma, CHANNEL, externalId, this.core.clock.now());
      return false;
    }
    if (stored.kind === 'status') await this.processStatus(externalId, chatId, stored.status);
    else await this.processMessage(externalId, chatId, stored);
    return true;
  }

  private async processMessage(externalId: string, chatId: string, stored: Extract<Stored, { kind: 'message' }>): Promise<void> {
    const { prisma } = this.core.db;
    const now = this.core.clock.now();
    const input = toInput(stored.message);
    if (input === null) {
      await markProcessed(prisma, CHANNEL, externalId, now);
      return;
    }
    const hint = stored.message.type === 'button' ? await this.templateLanguage(chatId) : null;
    const { outputs, locale, settled } = await converse(
      this.core.runtime,
      { channel: CHANNEL, chatId },
      input,
      senderPhone(stored.message),
      externalId,
      hint,
      this.files,
    );
    // The core has saved the answer (and marked the update processed with it, unless the step
    // failed): from here a failed reply never makes it be applied twice.
    if (!settled) await markProcessed(prisma, CHANNEL, externalId, now);
    // After the step, so a chat linked by this very message gets its window and user id too (and the
    // desk's replies held for the window go now).
    await recordInboundActivity(prisma, CHANNEL, chatId, sentAt(stored.message, now), stored.userId);
    const focus = input.type === 'action' && 'value' in input.action ? input.action.value : null;
    await this.deliver(chatId, outputs, locale, focus);
  }

  /**
   * A tap on a template's button (a reminder sent to a registry phone) may be the chat's very first
   * message: it is answered in the language of the registry's parent at that number — the template's
   * language — so the parent goes straight on to the IIN instead of choosing a language first. A
   * number no registry row holds gets no hint: it is answered in both languages.
   */
  private async templateLanguage(chatId: string): Promise<string | null> {
    const parents = await this.core.db.prisma.parent.findMany({ where: { phone: `+${chatId}` }, select: { locale: true } });
    if (parents.length === 0) return null;
    return parents.find((p) => p.locale !== null)?.locale ?? REGISTRY_DEFAULT_LOCALE;
  }

  private async processStatus(externalId: string, chatId: string, status: InboundStatus): Promise<void> {
    const { prisma } = this.core.db;
    const now = this.core.clock.now();
    if (isTrackedStatus(status.status)) {
      const { updated, kept, errorCode } = await applyStatus(prisma, status, now);
      if (status.status === 'failed') {
        this.core.logger.warn({ messageId: status.id, errorCode, outbox: updated, kept }, 'WhatsApp message delivery failed');
        if (errorCode !== null && UNREACHABLE_CODES.has(errorCode)) {
          await markUnreachable(prisma, CHANNEL, chatId, now);
          // A registry phone the campaign wrote to unprompted: not tried again this season.
          await recordUndeliverableAddress(prisma, CHANNEL, chatId, String(errorCode));
        }
      }
    }
    await markProcessed(prisma, CHANNEL, externalId, now);
  }

  /** Sends the rendered replies in order; a failure is logged — the answer itself is already saved. */
  private async deliver(chatId: string, outputs: Output[], locale: TextLocale, focus: string | null = null): Promise<void> {
    const messages = renderOutputs(outputs, locale, this.core.translator, { focus });
    for (const message of messages) {
      try {
        await sendWithRetry(this.transport, chatId, message, this.retry, this.wait);
      } catch (err) {
        const e = err instanceof WhatsAppSendError ? err : new WhatsAppSendError('unknown', null, String(err));
        if (await this.onSendFailure(chatId, e, message.type)) return;
      }
    }
  }

  /** Logs a failed reply; true when the rest of the replies should not be tried. */
  private async onSendFailure(chatId: string, e: WhatsAppSendError, type: string): Promise<boolean> {
    const log = { chat: maskPhone(chatId), code: e.code, kind: e.kind, type, error: e.message };
    switch (e.kind) {
      case 'outsideWindow':
      case 'undeliverable':
        this.core.logger.warn(log, 'WhatsApp chat cannot be reached; marked unreachable');
        await markUnreachable(this.core.db.prisma, CHANNEL, chatId, this.core.clock.now());
        return true;
      case 'template':
      case 'auth':
        // An operator must act (a token to renew, a template to approve): say so loudly, once.
        this.core.logger.error({ ...log, alert: true }, 'WhatsApp sending needs an operator: check the token and the templates');
        return true;
      case 'invalid':
        this.core.logger.error(log, 'WhatsApp refused a reply as invalid; the next one is still sent');
        return false;
      default:
        this.core.logger.error(log, 'WhatsApp reply not sent after retries');
        return true;
    }
  }

  // ——— recovery ———

  /** Processes updates recorded but never processed (the process died after answering 200). */
  recover(): Promise<void> {
    this.recovering ??= this.recoverOnce().finally(() => {
      this.recovering = null;
    });
    return this.recovering;
  }

  private async recoverOnce(): Promise<void> {
    // The inbox stamps rows with the database's time, so the age is measured in real time too.
    const olderThan = new Date(Date.now() - (this.opts.recoveryAgeMs ?? 10_000));
    try {
      const rows = await unprocessedInbound(this.core.db.prisma, CHANNEL, olderThan);
      for (const row of rows) {
        const parsed = storedUpdateSchema.safeParse(row.payload);
        if (!parsed.success) {
          // Nothing in it can be processed: settled, with where it failed (paths only, no values).
          const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.code}`);
          this.core.logger.warn({ externalId: row.externalId, issues }, 'WhatsApp stored update unreadable; settled without processing');
          await markProcessed(this.core.db.prisma, CHANNEL, row.externalId, this.core.clock.now());
          continue;
        }
        const stored = parsed.data;
        // Another instance's sweep may have seen the same row: only the one that restamps it runs it.
        if (this.inFlight.has(row.externalId) || !(await claimStaleInbound(this.core.db.prisma, CHANNEL, row.externalId, olderThan))) continue;
        this.schedule(row.externalId, row.chatId, stored);
      }
      if (rows.length > 0) this.core.logger.info({ count: rows.length }, 'WhatsApp updates recovered for processing');
    } catch (err) {
      this.core.logger.error({ err }, 'WhatsApp recovery sweep failed');
    }
  }
}

function toStored(event: WebhookEvent): { externalId: string; chatId: string; stored: Stored } {
  if (event.kind === 'message') {
    return { externalId: event.message.id, chatId: event.chatId, stored: { kind: 'message', userId: event.userId, message: event.message } };
  }
  const s = event.status;
  return {
    // The same message reports each status once; a redelivered status is the same id and status.
    externalId: `status:${s.id}:${s.status}`,
    chatId: s.recipientId ?? s.recipientUserId ?? '',
    stored: { kind: 'status', status: s },
  };
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The channel on a started core, from the configuration; null when WhatsApp is not configured. */
export function createWhatsAppChannel(core: Core, opts: WhatsAppChannelOptions = {}): WhatsAppChannel | null {
  return core.config.whatsapp ? new WhatsAppChannel(core, core.config.whatsapp, opts) : null;
}
