/**
 * Our thin interface over the WhatsApp Cloud API: what the channel (conversation replies) and the
 * campaign dispatcher (reminders, stop-list notices) need, and nothing of the client library, so
 * the library can be swapped. Sends throw a `WhatsAppSendError` classified by the Graph error code;
 * the transport itself never retries (the channel and the outbox each have their own policy).
 */
import type { Locale } from '../../src/conversation/index.ts';
import type { FetchedFile } from '../../src/services/index.ts';

/**
 * A chat id: the sender's `wa_id` (digits of the phone number), or — for a user whose number no
 * longer arrives — the business-scoped user id (`KZ.1234…`).
 */
export type ChatId = string;

export interface ReplyButton {
  /** An action id from the action codec (echoed back verbatim in the button_reply). */
  id: string;
  title: string;
}

export interface ListRow {
  id: string;
  title: string;
  description?: string;
}

export interface ListSection {
  /** Required by the platform when a list has more than one section. */
  title?: string;
  rows: ListRow[];
}

/** A message the channel renders; the shapes follow the platform's, within its limits (limits.ts). */
export type OutgoingMessage =
  | { type: 'text'; body: string }
  | { type: 'buttons'; body: string; buttons: ReplyButton[] }
  | { type: 'list'; body: string; button: string; sections: ListSection[] }
  /** The body and WhatsApp's own "Send location" button; the answer comes as a location message. */
  | { type: 'locationRequest'; body: string }
  | TemplateMessage;

export interface TemplateMessage {
  type: 'template';
  /** An approved template's name (see templates.json). */
  name: string;
  locale: Locale;
  /** The body's positional parameters {{1}}, {{2}}… as text. */
  params: string[];
  /** One payload per quick-reply button, in the buttons' order; echoed back in a `button` message. */
  buttonPayloads: string[];
}

export interface SendResult {
  /** The `wamid` the platform gave the message; status webhooks refer to it. */
  messageId: string;
}

export interface WhatsAppTransport {
  send(chatId: ChatId, message: OutgoingMessage): Promise<SendResult>;
  /** A free-form text (inside the 24-hour customer-service window only). */
  sendText(chatId: ChatId, body: string): Promise<SendResult>;
  /**
   * A pre-approved template (business-initiated, outside the window). `buttonPayloads` are the
   * quick-reply payloads, e.g. `encodeAction(0, { type: 'command', name: 'extend' })` = "x.extend".
   */
  sendTemplate(chatId: ChatId, templateName: string, locale: Locale, params: string[], buttonPayloads: string[]): Promise<SendResult>;
  /** A file a parent sent, by its media id, within `maxBytes`; absent on transports without media. */
  fetchMedia?(mediaId: string, maxBytes: number): Promise<FetchedFile>;
}

/**
 * What a failed send means for the sender, from the Graph `error.code` (not the HTTP status):
 * - `throughput`: the number's throughput limit (130429, 4, 80007, HTTP 429) — retry with backoff;
 * - `pairRateLimit`: too many messages to this user (131056) — retry this recipient later (≈ 6 s);
 * - `transient`: platform or network trouble (131000, 131016, 5xx, timeouts) — retry with backoff;
 * - `outsideWindow`: the 24-hour window is closed (131047) — send a template instead;
 * - `undeliverable`: the user cannot be reached (131026) — mark the chat unreachable;
 * - `template`: the template is missing, not approved or its parameters are wrong (132000, 132001…);
 * - `auth`: the token is invalid or expired (190, 0) — an operator must act;
 * - `invalid`: the request itself is wrong (100 and other parameter errors) — a bug, do not retry;
 * - `unknown`: anything else — do not retry.
 */
export type SendFailureKind = 'throughput' | 'pairRateLimit' | 'transient' | 'outsideWindow' | 'undeliverable' | 'template' | 'auth' | 'invalid' | 'unknown';

export class WhatsAppSendError extends Error {
  override readonly name = 'WhatsAppSendError';
  constructor(
    readonly kind: SendFailureKind,
    /** The Graph error code, or the HTTP status when the response had none. */
    readonly code: number | null,
    message: string,
    readonly httpStatus: number | null = null,
    /** From a Retry-After header, when the platform sent one. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }

  /** Worth sending again later (after a delay); the others need a different message or a person. */
  get retryable(): boolean {
    return this.kind === 'throughput' || this.kind === 'pairRateLimit' || this.kind === 'transient';
  }
}
