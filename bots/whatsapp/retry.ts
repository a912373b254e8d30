/**
 * Sending a conversation reply with bounded retries. Throughput limits and transient failures are
 * retried with exponential backoff (honouring Retry-After); the per-user pair rate limit waits the
 * pair interval before trying that user again; anything else is not retried here.
 */
import type { ChatId, OutgoingMessage, SendResult, WhatsAppTransport } from './transport.ts';
import type { WhatsAppSendError } from './transport.ts';
import { toSendError } from './cloud-api-transport.ts';

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Meta allows about one message per 6 s to the same user when it reports 131056. */
  pairDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 500, maxDelayMs: 8_000, pairDelayMs: 6_000 };

export type Sleep = (ms: number) => Promise<void>;
export const sleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function sendWithRetry(
  transport: WhatsAppTransport,
  chatId: ChatId,
  message: OutgoingMessage,
  policy: RetryPolicy = DEFAULT_RETRY,
  wait: Sleep = sleep,
): Promise<SendResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transport.send(chatId, message);
    } catch (err) {
      const e = toSendError(err);
      if (!e.retryable || attempt >= policy.attempts) throw e;
      const delay = retryDelay(e, attempt, policy);
      // A Retry-After beyond what a live reply can wait: give up now rather than hold the chat.
      if (delay === null) throw e;
      await wait(delay);
    }
  }
}

/** The delay before the next try, or null when the platform asks for longer than the policy allows. */
export function retryDelay(e: WhatsAppSendError, attempt: number, policy: RetryPolicy): number | null {
  if (e.kind === 'pairRateLimit') return policy.pairDelayMs;
  if (e.retryAfterMs !== null) return e.retryAfterMs <= policy.maxDelayMs ? e.retryAfterMs : null;
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  // Jitter spreads the retries of many chats hit by the same throughput limit.
  return Math.round(exponential * (0.75 + Math.random() * 0.25));
}
