/**
 * POST /webhooks/telegram on the product's HTTP server. Telegram sends the secret given to
 * setWebhook in `X-Telegram-Bot-Api-Secret-Token`; anything without it is refused with 401 before
 * the body is looked at. The update is processed before the answer (so Telegram's own pacing
 * keeps one chat's updates in order and a restart loses nothing), but never longer than
 * `answerWithinMs`: a slow update is then finished in the background and acknowledged, since the
 * inbox already recognises a redelivery of it. The answer may carry one Bot API call for
 * Telegram to make (webhook-reply.ts).
 */
import { timingSafeEqual } from 'node:crypto';
import type { Update } from 'grammy/types';
import type { HttpHandler } from '../../src/http/index.ts';
import type { Logger } from '../../src/log.ts';
import { WebhookReply } from './webhook-reply.ts';

export const WEBHOOK_PATH = '/webhooks/telegram';
export const SECRET_HEADER = 'x-telegram-bot-api-secret-token';

export interface WebhookOptions {
  secret: string;
  /** Handles one update completely; never throws for a handler error (the pipeline catches). A call put in `reply` goes with the answer. */
  accept: (update: Update, reply: WebhookReply) => Promise<unknown>;
  /** False while stopping: updates are refused with 503 so Telegram delivers them again later. */
  accepting: () => boolean;
  logger: Logger;
  answerWithinMs?: number;
}

export function webhookHandler(opts: WebhookOptions): HttpHandler {
  const expected = Buffer.from(opts.secret, 'utf8');
  const answerWithin = opts.answerWithinMs ?? 20_000;
  return async (req) => {
    const given = req.headers[SECRET_HEADER];
    if (typeof given !== 'string' || !sameSecret(Buffer.from(given, 'utf8'), expected)) {
      opts.logger.warn({ path: req.path }, 'telegram webhook: missing or wrong secret token, refused');
      return { status: 401, body: { error: 'unauthorized' } };
    }
    if (!opts.accepting()) return { status: 503, headers: { 'retry-after': '5' }, body: { error: 'shutting down' } };
    const update = parseUpdate(req.body);
    if (!update) return { status: 400, body: { error: 'not a Telegram update' } };

    // Through a promise: a damaged update can make `accept` throw before it returns one (found by
    // fuzzing: a message without a chat), which must not become a 500 and endless redelivery.
    const reply = new WebhookReply();
    const work = Promise.resolve()
      .then(() => opts.accept(update, reply))
      .catch((err: unknown) => opts.logger.error({ err, updateId: update.update_id }, 'telegram webhook: update failed'));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), answerWithin)));
    const result = await Promise.race([work.then(() => 'done' as const), late]);
    clearTimeout(timer);
    if (result === 'late') opts.logger.warn({ updateId: update.update_id }, 'telegram webhook: slow update acknowledged before it finished');
    return { status: 200, body: reply.take() ?? { ok: true } };
  };
}

function sameSecret(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function parseUpdate(body: Buffer): Update | null {
  try {
    const value = JSON.parse(body.toString('utf8')) as unknown;
    if (typeof value !== 'object' || value === null) return null;
    const id = (value as { update_id?: unknown }).update_id;
    return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? (value as Update) : null;
  } catch {
    return null;
  }
}
