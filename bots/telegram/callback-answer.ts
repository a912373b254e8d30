/**
 * Answering a callback query exactly once. Telegram shows a spinner on the pressed button until
 * the query is answered, and the answer can carry a short notice ("this button is out of date").
 *
 * The policy: the conversation step runs first (a local database round trip, milliseconds), and
 * the answer is given before any other Bot API call of the update — with the step's first
 * notice as its text, or empty. Should the step be slow, a deadline answers the query empty so
 * the spinner never hangs, and the notice is then sent as a message instead. Whatever happens
 * (errors, duplicates, ignored presses) the query is answered when the update is settled.
 *
 * In webhook mode that answer rides on the webhook's HTTP answer (webhook-reply.ts), sent once
 * the update is handled: the spinner stops as the update's replies are in place, and the press
 * costs one Bot API request less. The deadline's empty answer always goes through the Bot API at
 * once, as does any answer given after the webhook answered.
 */
import type { Api } from 'grammy';
import type { Logger } from '../../src/log.ts';
import { describeApiError, isStaleQuery } from './errors.ts';
import type { WebhookReply } from './webhook-reply.ts';

/** Telegram's limit for the text of a callback answer. */
export const MAX_CALLBACK_TEXT = 200;
export const DEFAULT_ANSWER_DEADLINE_MS = 1500;

export class CallbackAnswer {
  private answered = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly api: Api,
    readonly id: string,
    private readonly logger: Logger,
    deadlineMs = DEFAULT_ANSWER_DEADLINE_MS,
    private readonly webhookReply: WebhookReply | null = null,
  ) {
    this.timer = setTimeout(() => void this.answer(undefined, { now: true }), deadlineMs);
    this.timer.unref();
  }

  get done(): boolean {
    return this.answered;
  }

  /**
   * Answers once; later calls do nothing. True only when `text` was shown with the answer (or
   * goes with the webhook's answer). `now` skips the webhook answer, which may come too late.
   */
  async answer(text?: string, opts: { now?: boolean } = {}): Promise<boolean> {
    if (this.answered) return false;
    this.answered = true;
    clearTimeout(this.timer);
    const fits = text !== undefined && text.length <= MAX_CALLBACK_TEXT;
    if (!opts.now && this.webhookReply?.offer({ method: 'answerCallbackQuery', callback_query_id: this.id, ...(fits ? { text } : {}) })) return fits;
    try {
      await this.api.answerCallbackQuery(this.id, fits ? { text } : {});
      return fits;
    } catch (err) {
      if (!isStaleQuery(err)) this.logger.warn(describeApiError(err), 'telegram: answering a callback query failed');
      return false;
    }
  }
}
