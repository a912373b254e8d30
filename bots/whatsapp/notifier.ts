/**
 * Campaign notifications through the WhatsApp Cloud API. Inside the 24-hour customer-service
 * window the neutral message goes free-form, rendered like a conversation screen (reply button
 * with the command); outside it only the approved template may go (templates.json, language
 * code kk / ru). One call sends once: the outbox owns retries, pacing and the tier cap.
 *
 * Graph error codes (not HTTP statuses) decide what a failure means; see transport.ts.
 * The Cloud API has no idempotency key for sends: a send whose answer is lost may be repeated.
 */
import type { Notification, NotificationSender, SendOutcome } from '../../src/campaign/index.ts';
import { SendFailure } from '../../src/campaign/index.ts';
import type { Translator } from '../../src/i18n/index.ts';
import { toSendError } from './cloud-api-transport.ts';
import { renderOutputs } from './render.ts';
import type { OutgoingMessage, WhatsAppSendError, WhatsAppTransport } from './transport.ts';
import { TEMPLATES } from './templates.ts';
import { withinServiceWindow } from './window.ts';

/** The approved templates of the campaign's outbox kinds, for the dispatcher's `templates` option. */
export const CAMPAIGN_TEMPLATES = {
  REMINDER: { name: TEMPLATES.reminder.name, buttonPayloads: [...TEMPLATES.reminder.buttonPayloads] },
  STOPLIST_NOTICE: { name: TEMPLATES.stopListNotice.name, buttonPayloads: [...TEMPLATES.stopListNotice.buttonPayloads] },
  SUPPORT_NUDGE: { name: TEMPLATES.supportAnswer.name, buttonPayloads: [...TEMPLATES.supportAnswer.buttonPayloads] },
  REGISTRY_REFERRAL_ISSUED: { name: TEMPLATES.referralIssued.name, buttonPayloads: [...TEMPLATES.referralIssued.buttonPayloads] },
  REGISTRY_REFERRAL_LAPSED: { name: TEMPLATES.referralLapsed.name, buttonPayloads: [...TEMPLATES.referralLapsed.buttonPayloads] },
};

/** Meta allows about one message per 6 s to the same user once it reports the pair rate limit. */
export const PAIR_RETRY_MS = 6_000;

export class WhatsAppNotifier implements NotificationSender {
  readonly channel = 'WHATSAPP' as const;

  constructor(
    private readonly transport: WhatsAppTransport,
    private readonly translator: Translator,
  ) {}

  withinServiceWindow(lastInboundAt: Date | null, now: Date): boolean {
    return withinServiceWindow(lastInboundAt, now);
  }

  async send(n: Notification): Promise<SendOutcome> {
    const viaTemplate = !n.withinServiceWindow;
    if (viaTemplate && !n.template) throw new SendFailure({ kind: 'fatal', reason: 'the window is closed and the notification has no template' });
    const messages: OutgoingMessage[] = viaTemplate
      ? [
          {
            type: 'template',
            name: n.template!.name,
            locale: n.locale,
            params: n.template!.paramsByLocale?.[n.locale] ?? n.template!.params,
            buttonPayloads: n.template!.buttonPayloads,
          },
        ]
      : renderOutputs([n.message], n.locale, this.translator);
    let externalId: string | null = null;
    for (const message of messages) {
      try {
        externalId = (await this.transport.send(n.chatId, message)).messageId;
      } catch (err) {
        throw toSendFailure(toSendError(err), viaTemplate);
      }
    }
    return { externalId, viaTemplate };
  }
}

export function toSendFailure(e: WhatsAppSendError, wasTemplate: boolean): SendFailure {
  const reason = `${e.code ?? '-'} ${e.kind}: ${e.message}`.slice(0, 300);
  switch (e.kind) {
    case 'throughput':
    case 'transient':
      return new SendFailure({ kind: 'retry', reason, ...(e.retryAfterMs !== null ? { retryAfterMs: e.retryAfterMs } : {}) });
    case 'pairRateLimit':
      return new SendFailure({ kind: 'retry', reason, retryAfterMs: Math.max(PAIR_RETRY_MS, e.retryAfterMs ?? 0) });
    case 'outsideWindow':
      // A template never needs the window; if one is refused so, something else is wrong.
      return new SendFailure(wasTemplate ? { kind: 'fatal', reason } : { kind: 'resendAsTemplate', reason });
    case 'undeliverable':
      return new SendFailure({ kind: 'unreachable', reason });
    case 'template':
    case 'auth':
      return new SendFailure({ kind: 'fatal', reason, operator: true });
    case 'invalid':
      return new SendFailure({ kind: 'fatal', reason });
    case 'unknown':
      // Bounded by the outbox's attempts and backoff: no storm, and a passing glitch heals.
      return new SendFailure({ kind: 'retry', reason });
  }
}
