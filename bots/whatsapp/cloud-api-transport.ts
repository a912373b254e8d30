/**
 * The transport over the official Cloud API through `@kapso/whatsapp-cloud-api`: its zod-validated
 * builders check the platform limits before a request leaves, and its `GraphApiError` carries the
 * Graph error code that `classifyFailure` turns into our `WhatsAppSendError`.
 */
import { buildTemplateSendPayload, GraphApiError, isBusinessScopedUserId, WhatsAppClient, type SendMessageResponse } from '@kapso/whatsapp-cloud-api';
import type { Locale } from '../../src/conversation/index.ts';
import { classifyFailure } from './errors.ts';
import { readLimited } from '../../src/http/index.ts';
import type { FetchedFile } from '../../src/services/index.ts';
import { WhatsAppSendError, type ChatId, type OutgoingMessage, type SendResult, type TemplateMessage, type WhatsAppTransport } from './transport.ts';

export interface CloudApiOptions {
  token: string;
  phoneNumberId: string;
  /** `https://graph.facebook.com`, a proxy, or a test double. */
  apiRoot: string;
  apiVersion: string;
  /** A request that takes longer is abandoned (and reported as transient). */
  timeoutMs?: number;
}

export class CloudApiTransport implements WhatsAppTransport {
  private readonly client: WhatsAppClient;

  constructor(private readonly opts: CloudApiOptions) {
    const timeoutMs = opts.timeoutMs ?? 15_000;
    this.client = new WhatsAppClient({
      accessToken: opts.token,
      baseUrl: opts.apiRoot,
      graphVersion: opts.apiVersion,
      // A hung connection must not hold a chat's queue forever.
      fetch: (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) }),
    });
  }

  /**
   * A file a parent sent (its media id from the webhook): the metadata call gives the short-lived
   * URL and the size, refused before any byte when too big; the download carries the token, as
   * Meta requires, and stops past the limit.
   */
  async fetchMedia(mediaId: string, maxBytes: number): Promise<FetchedFile> {
    try {
      const meta = await this.client.media.get({ mediaId, phoneNumberId: this.opts.phoneNumberId });
      const size = Number(meta.fileSize);
      if (Number.isFinite(size) && size > maxBytes) return { ok: false, reason: 'tooBig' };
      const res = await fetch(meta.downloadUrl ?? meta.url, {
        headers: { authorization: `Bearer ${this.opts.token}` },
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
      });
      if (!res.ok) {
        await res.body?.cancel().catch(() => undefined);
        return { ok: false, reason: 'failed' };
      }
      const body = await readLimited(res, maxBytes);
      return body.ok ? { ok: true, data: body.data, mime: meta.mimeType ?? null } : body;
    } catch {
      return { ok: false, reason: 'failed' };
    }
  }

  async send(chatId: ChatId, message: OutgoingMessage): Promise<SendResult> {
    const base = { phoneNumberId: this.opts.phoneNumberId, ...addressOf(chatId) };
    const call = (): Promise<SendMessageResponse> => {
      switch (message.type) {
        case 'text':
          return this.client.messages.sendText({ ...base, body: message.body });
        case 'buttons':
          return this.client.messages.sendInteractiveButtons({ ...base, bodyText: message.body, buttons: message.buttons });
        case 'list':
          return this.client.messages.sendInteractiveList({
            ...base,
            bodyText: message.body,
            buttonText: message.button,
            sections: message.sections,
          });
        case 'locationRequest':
          // The documented shape exactly: the library's builder adds an `action.parameters` Meta does not list.
          return this.client.messages.sendInteractiveRaw({
            ...base,
            interactive: { type: 'location_request_message', body: { text: message.body }, action: { name: 'send_location' } },
          });
        case 'template':
          return this.client.messages.sendTemplate({ ...base, template: templatePayload(message) });
      }
    };
    let response: SendMessageResponse;
    try {
      response = await call();
    } catch (err) {
      throw toSendError(err);
    }
    const messageId = response?.messages?.[0]?.id;
    if (!messageId) throw new WhatsAppSendError('unknown', null, 'the platform accepted the message but returned no id');
    return { messageId };
  }

  sendText(chatId: ChatId, body: string): Promise<SendResult> {
    return this.send(chatId, { type: 'text', body });
  }

  sendTemplate(chatId: ChatId, templateName: string, locale: Locale, params: string[], buttonPayloads: string[]): Promise<SendResult> {
    return this.send(chatId, { type: 'template', name: templateName, locale, params, buttonPayloads });
  }
}

/** A phone number goes as `to`; a business-scoped user id (the number no longer arrives) as `recipient`. */
function addressOf(chatId: ChatId): { to: string } | { recipient: string } {
  return isBusinessScopedUserId(chatId) ? { recipient: chatId } : { to: chatId };
}

type TemplateInput = Parameters<WhatsAppClient['messages']['sendTemplate']>[0]['template'];

/** The typed builder's output is what `sendTemplate` takes; the library types the two apart. */
function templatePayload(m: TemplateMessage): TemplateInput {
  const payload = buildTemplateSendPayload({
    name: m.name,
    language: m.locale,
    body: m.params.map((text) => ({ type: 'text' as const, text })),
    buttons: m.buttonPayloads.map((payload, index) => ({
      type: 'button' as const,
      subType: 'quick_reply' as const,
      index,
      parameters: [{ type: 'payload' as const, payload }],
    })),
  });
  // Reason: the library's TemplateInput is a zod-inferred union whose button branch TypeScript cannot narrow from this literal; the shape is Meta's documented one (tests check it against the fake's validator).
  return payload as unknown as TemplateInput;
}

export function toSendError(err: unknown): WhatsAppSendError {
  if (err instanceof WhatsAppSendError) return err;
  if (err instanceof GraphApiError) {
    const raw = err.raw as { error?: { code?: unknown } } | null;
    const code = typeof raw?.error?.code === 'number' ? raw.error.code : null;
    const retryAfterMs = err.retry?.action === 'retry_after' && typeof err.retry.retryAfterMs === 'number' ? err.retry.retryAfterMs : null;
    return new WhatsAppSendError(classifyFailure(code, err.httpStatus), code ?? err.httpStatus, err.message, err.httpStatus, retryAfterMs);
  }
  const e = err as Error;
  // Timeouts and refused or reset connections: the platform may be fine a moment later.
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError' || e instanceof TypeError) {
    return new WhatsAppSendError('transient', null, `network: ${e.message}`);
  }
  // The library's validators refuse a message over a platform limit before it is sent: our bug.
  return new WhatsAppSendError('invalid', null, e?.message ?? String(err));
}
