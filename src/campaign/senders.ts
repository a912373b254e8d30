/**
 * What the campaign dispatcher needs of a messaging channel: send one business-initiated
 * notification (a reminder, a stop-list notice) and say, in channel-neutral terms, what a failure
 * means. The channels implement it in bots/<channel>/notifier.ts; the core imports no channel.
 */
import type { Message } from '../conversation/core/io.ts';
import type { Locale } from '../conversation/core/views.ts';
import type { NotificationContent } from './notifications.ts';

export type NotificationChannel = 'TELEGRAM' | 'WHATSAPP' | 'SMS';

/** An approved WhatsApp template to use when the customer-service window is closed. */
export interface TemplateCall {
  name: string;
  /** The body's positional parameters {{1}}, {{2}}… as text. */
  params: string[];
  /** Parameters that differ by language (a kindergarten's name): used instead of `params` for that language. */
  paramsByLocale?: Partial<Record<Locale, string[]>>;
  /** One quick-reply payload per button (core command actions such as "x.extend"). */
  buttonPayloads: string[];
}

export interface Notification {
  chatId: string;
  locale: Locale;
  /** The neutral message (buildNotification), rendered by the channel like a conversation screen. */
  message: Message;
  /** The template equivalent; null for channels that have none (Telegram). */
  template: TemplateCall | null;
  /** WhatsApp: a free-form message may be sent; false → the template must be used. */
  withinServiceWindow: boolean;
  /**
   * A deep link that brings the parent into the bot already named (src/links): for a message to a
   * registry phone that is not a linked chat (an SMS, a WhatsApp template to an unlinked parent).
   */
  link?: string | null;
  /** What `message` says, as data: for channels that write their own text (SMS). */
  content?: NotificationContent;
}

export interface SendOutcome {
  /** The platform's message id (Telegram message_id, WhatsApp wamid); status webhooks refer to it. */
  externalId: string | null;
  /** Went as a template: it opened a business-initiated conversation (the tier counts it). */
  viaTemplate: boolean;
}

export interface NotificationSender {
  readonly channel: NotificationChannel;
  /** Sends once, never retrying by itself (the outbox owns retries); throws `SendFailure`. */
  send(n: Notification): Promise<SendOutcome>;
  /**
   * Channels with a customer-service window (WhatsApp): may a free-form message go now, given the
   * chat's last inbound message? Absent → always (Telegram).
   */
  withinServiceWindow?(lastInboundAt: Date | null, now: Date): boolean;
  /**
   * Channels with a budget or hours of their own (SMS): which of a claimed batch must wait, and
   * until when — asked once per batch, before any of it takes a send slot, so that a spent budget
   * costs one statement per batch instead of a send slot per message. Advisory: `send` still
   * decides each message (and may answer `defer`). Absent → the whole batch goes on.
   */
  deferred?(batch: { id: number; notification: Notification }[], now: Date): Promise<Deferral>;
}

/** Messages given back untried (their attempt not counted), each due again at its `at`; `reason` is kept on the row. */
export interface Deferral {
  rows: { id: number; at: Date }[];
  reason: string;
}

export type SendFailureKind =
  /** Try again later: rate limits, platform trouble, the network. */
  | { kind: 'retry'; retryAfterMs?: number; reason: string }
  /** The user blocked the bot or cannot be reached: mark the chat, stop writing to it. */
  | { kind: 'unreachable'; reason: string }
  /** WhatsApp's window turned out to be closed (131047): send the template instead. */
  | { kind: 'resendAsTemplate'; reason: string }
  /**
   * No retry: our request is wrong, or (`operator`) a person must act first — a revoked token, a
   * template not approved — so every send on the channel would fail the same way for now.
   */
  | { kind: 'fatal'; reason: string; operator?: boolean }
  /**
   * Not sent and nothing went wrong: the channel may not send it yet (the day's SMS budget is
   * spent, the night). Given back untried — the attempt is not counted — due again at `until`.
   */
  | { kind: 'defer'; until: Date; reason: string };

export class SendFailure extends Error {
  override readonly name = 'SendFailure';
  constructor(readonly failure: SendFailureKind) {
    super(`${failure.kind}: ${failure.reason}`);
  }

  get kind(): SendFailureKind['kind'] {
    return this.failure.kind;
  }
}

/** Anything a sender threw, as a SendFailure; an unclassified error is retried (bounded by maxAttempts). */
export function asSendFailure(err: unknown): SendFailure {
  if (err instanceof SendFailure) return err;
  return new SendFailure({ kind: 'retry', reason: err instanceof Error ? err.message : String(err) });
}
