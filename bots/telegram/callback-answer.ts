/**
 * Answering a callback query exactly once. Telegram shows a spinner on the pressed button until
 * the query is answered, and the answer can carry a short notice ("this button is out of date").
 *
 * The policy: the conversation step runs first (a local database round trip, milliseconds), and
 * the query is answered before any other Bot API call of the update — with the step's first
 * notice as its text, or empty. Should the step be slow, a deadline answers the query empty so
 * the spinner never hangs, and the notice is then sent as a message instead. Whatever happens
 * (errors, duplicates, ignored presses) the query is answered when the update is settled.
 */
import type { Api } from 'grammy';
import type { Logger } from '../../src/log.ts';
import { describeApiError, isStaleQuery } from './errors.ts';

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
  ) {
    this.timer = setTimeout(() => void this.answer(), deadlineMs);
    this.timer.unref();
  }

  get done(): boolean {
    return this.answered;
  }

  /** Answers once; later calls do nothing. True only when `text` was shown with the answer. */
  async answer(text?: string): Promise<boolean> {
    if (this.answered) return false;
    this.answered = true;
    clearTimeout(this.timer);
    const fits = text !== undefined && text.length <= MAX_CALLBACK_TEXT;
    try {
      await this.api.answerCallbackQuery(this.id, fits ? { text } : {});
      return fits;
    } catch (err) {
      if (!isStaleQuery(err)) this.logger.warn(describeApiError(err), 'telegram: answering a callback query failed');
      return false;
    }
  }
}
