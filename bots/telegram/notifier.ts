/**
 * Campaign notifications (reminders, stop-list notices) through the Bot API: the neutral message
 * rendered exactly like a conversation screen (plain text + inline keyboard with its command
 * button), sent once per call — the outbox owns retries, so no auto-retry transformer here.
 *
 * Telegram offers no idempotency key for sendMessage: a send whose answer is lost (a crash, a
 * timeout) may be delivered and then sent again by the outbox. That is the at-least-once boundary.
 */
import { Api, GrammyError, HttpError } from 'grammy';
import type { NotificationSender, Notification, SendOutcome } from '../../src/campaign/index.ts';
import { SendFailure } from '../../src/campaign/index.ts';
import type { Translator } from '../../src/i18n/index.ts';
import { renderMessage, type RenderedMessage } from './render.ts';

/** Distinct renderings kept: a campaign's messages differ only in a few numbers and two languages. */
const RENDER_CACHE_SIZE = 256;

export interface TelegramNotifierOptions {
  token: string;
  apiRoot: string;
  translator: Translator;
  /** A send that takes longer is abandoned and retried later (well under the outbox lease). */
  timeoutSeconds?: number;
}

export class TelegramNotifier implements NotificationSender {
  readonly channel = 'TELEGRAM' as const;
  readonly api: Api;
  /**
   * Rendering is a pure function of (message, locale) for a fixed translator, and at thousands of
   * sends a second i18next's interpolation and plural rules cost more than the send: reuse it.
   */
  private readonly rendered = new Map<string, RenderedMessage>();

  constructor(private readonly opts: TelegramNotifierOptions) {
    this.api = new Api(opts.token, { apiRoot: opts.apiRoot.replace(/\/+$/, ''), timeoutSeconds: opts.timeoutSeconds ?? 30 });
  }

  async send(n: Notification): Promise<SendOutcome> {
    const chatId = Number(n.chatId);
    if (!Number.isSafeInteger(chatId)) throw new SendFailure({ kind: 'fatal', reason: `not a Telegram chat id: ${n.chatId}` });
    const rendered = this.render(n);
    let messageId: number | null = null;
    try {
      for (let i = 0; i < rendered.chunks.length; i++) {
        const last = i === rendered.chunks.length - 1;
        const sent = await this.api.sendMessage(chatId, rendered.chunks[i]!, last && rendered.inline ? { reply_markup: rendered.inline } : {});
        messageId = sent.message_id;
      }
    } catch (err) {
      throw toSendFailure(err);
    }
    return { externalId: messageId === null ? null : String(messageId), viaTemplate: false };
  }

  private render(n: Notification): RenderedMessage {
    const key = `${n.locale}\u0000${JSON.stringify(n.message)}`;
    let r = this.rendered.get(key);
    if (!r) {
      r = renderMessage(n.message, n.locale, this.opts.translator);
      if (this.rendered.size >= RENDER_CACHE_SIZE) this.rendered.clear();
      this.rendered.set(key, r);
    }
    return r;
  }
}

/** Bot API errors by their documented codes. */
export function toSendFailure(err: unknown): SendFailure {
  if (err instanceof GrammyError) {
    const reason = `${err.method}: ${err.error_code} ${err.description}`;
    if (err.error_code === 429) {
      const seconds = err.parameters.retry_after;
      return new SendFailure({ kind: 'retry', reason, ...(seconds !== undefined ? { retryAfterMs: seconds * 1000 } : {}) });
    }
    if (err.error_code >= 500) return new SendFailure({ kind: 'retry', reason });
    // Blocked, kicked, deactivated user; or the chat no longer exists.
    if (err.error_code === 403 || (err.error_code === 400 && /chat not found|user is deactivated/i.test(err.description))) {
      return new SendFailure({ kind: 'unreachable', reason });
    }
    // 401 (token revoked): every send fails until a person acts. Other 4xx: this request is wrong.
    if (err.error_code === 401) return new SendFailure({ kind: 'fatal', reason, operator: true });
    return new SendFailure({ kind: 'fatal', reason });
  }
  // No answer at all (refused, reset, timed out): Telegram may be fine a moment later.
  if (err instanceof HttpError) return new SendFailure({ kind: 'retry', reason: `network: ${err.message}` });
  return new SendFailure({ kind: 'retry', reason: err instanceof Error ? err.message : String(err) });
}
