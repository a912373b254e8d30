/**
 * Bot API errors the channel reacts to, recognised by their documented code and description.
 */
import { GrammyError } from 'grammy';

/** The parent blocked the bot, or the account is gone: writing again is pointless. */
export function isUnreachable(err: unknown): boolean {
  return err instanceof GrammyError && err.error_code === 403;
}

/** An edit that changes nothing: the message already shows what we meant to show. */
export function isNotModified(err: unknown): boolean {
  return err instanceof GrammyError && err.error_code === 400 && /message is not modified/i.test(err.description);
}

/** The message cannot be edited any more (deleted, too old, not ours): send a new one instead. */
export function isUneditable(err: unknown): boolean {
  return (
    err instanceof GrammyError &&
    err.error_code === 400 &&
    /message to edit not found|message can't be edited|message identifier is not specified|inline keyboard expected/i.test(err.description)
  );
}

/** A callback query answered too late or twice: harmless, the parent already saw the result. */
export function isStaleQuery(err: unknown): boolean {
  return err instanceof GrammyError && err.error_code === 400 && /query is too old|query ID is invalid/i.test(err.description);
}

/** What may be logged about an API error: its method, code and Telegram's description (no payload). */
export function describeApiError(err: unknown): Record<string, unknown> {
  if (err instanceof GrammyError) return { method: err.method, code: err.error_code, description: err.description };
  return { err };
}
