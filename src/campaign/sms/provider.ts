/**
 * What the SMS notifier needs of a provider (bots/sms/<provider>.ts): send one text to one number,
 * once — the outbox owns retries — and say, in the outbox's terms, what a failure means:
 *
 * - `retry`: the network, a timeout, the provider's 5xx or throttling;
 * - `unreachable`: the number cannot receive SMS (invalid, not a mobile number). The dispatcher
 *   cancels the number's other waiting messages, and it is recorded undeliverable for the season;
 * - `fatal` with `operator`: every send would fail the same way until a person acts (the API key,
 *   the balance, the sender name, the API root);
 * - `fatal` alone: this request is wrong (a text the provider refuses).
 *
 * `certainlyNotSent` tells the budget whether the reserved parts can be given back: only when the
 * provider answered and refused. A timeout or a lost answer may have sent it.
 */
import type { SendFailureKind } from '../senders.ts';

export interface SmsProvider {
  /** Names the provider in logs and in the outbox's errors. */
  readonly name: string;
  /**
   * `phone`: international format, digits only ("77011234567"). `from`: the registered sender name,
   * or the account's default when absent. Throws `SmsProviderError`.
   */
  send(phone: string, text: string, from?: string): Promise<{ messageId: string | null }>;
}

export type SmsFailure = Exclude<SendFailureKind, { kind: 'resendAsTemplate' } | { kind: 'defer' }>;

export class SmsProviderError extends Error {
  override readonly name = 'SmsProviderError';
  constructor(
    readonly failure: SmsFailure,
    readonly certainlyNotSent: boolean,
  ) {
    super(`${failure.kind}: ${failure.reason}`);
  }
}
