/**
 * Mobizon (mobizon.kz), the SMS provider: `POST {root}/service/Message/SendSmsMessage?output=json&api=v1&apiKey=…`
 * with the form fields `recipient` (international format, digits only), `text` and, when set,
 * `from` (a registered sender name). The answer is an envelope `{code, data, message}`: code 0 with
 * `data: {campaignId, messageId, status}` is sent; any other code names what went wrong (the API's
 * "API response codes" table, classified below). Numbers in `data` arrive as strings or numbers.
 *
 * One request per send, with a timeout and no retry: the outbox owns retries. The API key travels
 * in the query string as the API requires; it is never logged, and every error text built here has
 * it cut out in case something echoed the URL.
 */
import { SmsProviderError, type SmsFailure, type SmsProvider } from '../../src/campaign/index.ts';

export const SEND_PATH = '/service/Message/SendSmsMessage';

/** The API's "too many requests" (code 30) names no wait: the first retry is no sooner than this. */
export const THROTTLE_RETRY_MS = 5_000;

export interface MobizonOptions {
  apiKey: string;
  /** `https://api.mobizon.kz`, or a test double. */
  apiRoot: string;
  /** A request that takes longer is abandoned and retried later by the outbox (well under its lease). */
  timeoutMs?: number;
}

export interface MobizonEnvelope {
  code: number;
  data: unknown;
  message: string;
}

/** Codes that mean a person must act (the key, the account, the API root): every send fails alike. */
const OPERATOR_CODES = new Set([4, 5, 6, 8, 9, 13, 14]);
/** The provider's own trouble: it may work a moment later. */
const PROVIDER_TROUBLE = new Set([3, 10, 15, 999]);
/** Refused before anything was sent: the parts reserved for it may be given back. */
const REFUSED_CODES = new Set([1, 2, 4, 5, 6, 8, 9, 11, 12, 13, 14, 30, 98, 99]);
/** The API documents no code of its own for an empty balance; its message names it. */
const BALANCE = /баланс|средств|balance|funds|қаражат/i;
/** The connection never opened: the request cannot have reached the provider. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

export class MobizonProvider implements SmsProvider {
  readonly name = 'mobizon';
  private readonly url: string;

  constructor(private readonly opts: MobizonOptions) {
    if (opts.apiKey === '') throw new Error('MobizonProvider: the API key is empty');
    const query = new URLSearchParams({ output: 'json', api: 'v1', apiKey: opts.apiKey });
    this.url = `${opts.apiRoot.replace(/\/+$/, '')}${SEND_PATH}?${query.toString()}`;
  }

  async send(phone: string, text: string, from?: string): Promise<{ messageId: string | null }> {
    const body = new URLSearchParams({ recipient: phone, text });
    if (from) body.set('from', from);
    let status: number;
    let retryAfter: string | null;
    let raw: string;
    try {
      const res = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', accept: 'application/json' },
        body: body.toString(),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 15_000),
      });
      status = res.status;
      retryAfter = res.headers.get('retry-after');
      raw = await res.text();
    } catch (err) {
      throw this.redacted(networkFailure(err));
    }
    const answer = mobizonAnswer(status, parseEnvelope(raw), retryAfter);
    if ('failure' in answer) throw this.redacted(answer);
    return { messageId: answer.messageId };
  }

  private redacted(e: { failure: SmsFailure; certainlyNotSent: boolean }): SmsProviderError {
    const reason = e.failure.reason.split(this.opts.apiKey).join('***');
    return new SmsProviderError({ ...e.failure, reason }, e.certainlyNotSent);
  }
}

export function parseEnvelope(raw: string): MobizonEnvelope | null {
  try {
    const v = JSON.parse(raw) as { code?: unknown; data?: unknown; message?: unknown };
    const code = typeof v.code === 'number' ? v.code : typeof v.code === 'string' && /^\d+$/.test(v.code) ? Number(v.code) : null;
    if (code === null) return null;
    return { code, data: v.data ?? null, message: typeof v.message === 'string' ? v.message : '' };
  } catch {
    return null;
  }
}

type Answer = { messageId: string | null } | { failure: SmsFailure; certainlyNotSent: boolean };

/** What an HTTP answer means: sent (with the message id), or a failure in the outbox's terms. */
export function mobizonAnswer(status: number, envelope: MobizonEnvelope | null, retryAfter: string | null = null): Answer {
  if (envelope) return envelopeAnswer(status, envelope);
  const reason = `mobizon: HTTP ${status} without an API answer`;
  if (status === 429) return { failure: { kind: 'retry', reason, ...retryAfterMs(retryAfter) }, certainlyNotSent: true };
  if (status >= 500 || (status >= 200 && status < 300)) return { failure: { kind: 'retry', reason }, certainlyNotSent: false };
  if (status === 401 || status === 403) return { failure: { kind: 'fatal', operator: true, reason }, certainlyNotSent: true };
  return { failure: { kind: 'fatal', reason }, certainlyNotSent: true };
}

function envelopeAnswer(status: number, e: MobizonEnvelope): Answer {
  // 100: queued for background execution — accepted, so sending again would duplicate it.
  if (e.code === 0 || e.code === 100) return { messageId: messageIdOf(e.data) };
  const fields = invalidFields(e);
  const reason = `mobizon ${e.code}${fields.length > 0 ? ` (${fields.join(', ')})` : ''}: ${e.message}`.slice(0, 300);
  const certainlyNotSent = REFUSED_CODES.has(e.code);
  if (BALANCE.test(e.message)) return { failure: { kind: 'fatal', operator: true, reason }, certainlyNotSent };
  if (e.code === 1) {
    if (fields.includes('recipient')) return { failure: { kind: 'unreachable', reason }, certainlyNotSent };
    if (fields.includes('from')) return { failure: { kind: 'fatal', operator: true, reason }, certainlyNotSent };
    return { failure: { kind: 'fatal', reason }, certainlyNotSent };
  }
  if (e.code === 30) return { failure: { kind: 'retry', reason, retryAfterMs: THROTTLE_RETRY_MS }, certainlyNotSent };
  if (OPERATOR_CODES.has(e.code)) return { failure: { kind: 'fatal', operator: true, reason }, certainlyNotSent };
  if (PROVIDER_TROUBLE.has(e.code) || status >= 500) return { failure: { kind: 'retry', reason }, certainlyNotSent };
  if (certainlyNotSent) return { failure: { kind: 'fatal', reason }, certainlyNotSent };
  // A code the documentation does not list: bounded by the outbox's attempts, and a passing glitch heals.
  return { failure: { kind: 'retry', reason }, certainlyNotSent: false };
}

/** A validation error's `data` names the fields it refused: `{recipient: "…"}`. */
function invalidFields(e: MobizonEnvelope): string[] {
  return e.data !== null && typeof e.data === 'object' && !Array.isArray(e.data) ? Object.keys(e.data) : [];
}

function messageIdOf(data: unknown): string | null {
  const id = data !== null && typeof data === 'object' ? (data as { messageId?: unknown }).messageId : undefined;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : null;
}

function retryAfterMs(header: string | null): { retryAfterMs?: number } {
  const seconds = header !== null && /^\d+$/.test(header.trim()) ? Number(header.trim()) : null;
  return seconds === null ? {} : { retryAfterMs: seconds * 1000 };
}

function networkFailure(err: unknown): { failure: SmsFailure; certainlyNotSent: boolean } {
  const e = err as Error & { cause?: { code?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
    // The request may have been taken and the answer lost: the parts stay spent.
    return { failure: { kind: 'retry', reason: 'mobizon: no answer in time' }, certainlyNotSent: false };
  }
  const code = e?.cause?.code ?? null;
  return {
    failure: { kind: 'retry', reason: `mobizon network: ${code ?? e?.message ?? String(err)}` },
    certainlyNotSent: code !== null && NOT_CONNECTED.has(code),
  };
}
