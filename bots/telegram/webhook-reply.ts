/**
 * The answer to Telegram's webhook request may carry one Bot API call, which Telegram then makes
 * itself (Bot API, "Making requests when getting updates"): a request and a round trip saved per
 * update. Telegram does not say whether such a call succeeded, so only a call whose result the
 * bot does not need goes there — answering the pressed button's callback query.
 *
 * The webhook answers once the update is handled, so the call rides on that answer; should the
 * answer go earlier (a slow update acknowledged before it finished), the slot is closed and the
 * caller makes its call through the Bot API as usual.
 */

/** A Bot API call as the webhook answer carries it: the method name beside its parameters. */
export type WebhookCall = { method: string } & Record<string, unknown>;

export class WebhookReply {
  private call: WebhookCall | null = null;
  private closed = false;

  /** Puts `call` in the answer; false when the answer has gone or already carries a call. */
  offer(call: WebhookCall): boolean {
    if (this.closed || this.call) return false;
    this.call = call;
    return true;
  }

  /** The call for the answer being sent now; the reply takes no calls after this. */
  take(): WebhookCall | null {
    this.closed = true;
    return this.call;
  }
}
