/**
 * Counts every Graph API send by message type and outcome around any transport. A send of a
 * message object already sent once is a retry (sendWithRetry passes the same one again); the
 * outbox's later attempts build a new message and count as attempts of the outbox instead.
 */
import type { Locale } from '../../src/conversation/index.ts';
import type { ApiOutcome, Metrics } from '../../src/metrics/index.ts';
import { toSendError } from './cloud-api-transport.ts';
import type { ChatId, OutgoingMessage, SendResult, WhatsAppTransport } from './transport.ts';

export class MeteredTransport implements WhatsAppTransport {
  private readonly seen = new WeakSet<OutgoingMessage>();

  constructor(
    private readonly inner: WhatsAppTransport,
    private readonly metrics: Metrics,
  ) {}

  async send(chatId: ChatId, message: OutgoingMessage): Promise<SendResult> {
    const method = `messages.${message.type}`;
    if (this.seen.has(message)) this.metrics.apiRetries.inc({ channel: 'WHATSAPP', method });
    else this.seen.add(message);
    try {
      const result = await this.inner.send(chatId, message);
      this.metrics.apiRequests.inc({ channel: 'WHATSAPP', method, outcome: 'ok' });
      return result;
    } catch (err) {
      this.metrics.apiRequests.inc({ channel: 'WHATSAPP', method, outcome: outcomeOf(err) });
      throw err;
    }
  }

  sendText(chatId: ChatId, body: string): Promise<SendResult> {
    return this.send(chatId, { type: 'text', body });
  }

  sendTemplate(chatId: ChatId, templateName: string, locale: Locale, params: string[], buttonPayloads: string[]): Promise<SendResult> {
    return this.send(chatId, { type: 'template', name: templateName, locale, params, buttonPayloads });
  }
}

/** Graph answers most limits with HTTP 400 and a code: the kind says what it was. */
function outcomeOf(err: unknown): ApiOutcome {
  const e = toSendError(err);
  if (e.kind === 'throughput' || e.kind === 'pairRateLimit') return 'rate_limited';
  if (e.httpStatus === null) return e.kind === 'transient' ? 'network_error' : 'client_error';
  return e.httpStatus >= 500 ? 'server_error' : 'client_error';
}
