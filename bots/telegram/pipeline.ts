/**
 * What happens to every Telegram update, in polling and webhook mode alike:
 *   1. recorded in the inbox by update_id — a redelivered update is recognised and skipped
 *      (unless its first handling died half-way: see claimStaleInbound in src/inbox/inbox.ts) —
 *      and the chat's conversation read, in one statement;
 *   2. turned into a core input and handled by the conversation runtime, which saves the new
 *      state and marks the update processed in one statement (so a crash never applies an
 *      answer twice; updates the conversation does not see are marked processed at the end);
 *   3. the outputs delivered (callback answered, messages sent or edited).
 * Nothing escapes: an error is logged (masked, no payloads) and the parent is told to try again;
 * a blocked bot marks the chat link unreachable. So the webhook always answers 200 and
 * Telegram never redelivers an update forever because of a bug.
 */
import type { Api, Context, MiddlewareFn } from 'grammy';
import type { Update } from 'grammy/types';
import type { Core } from '../../src/app.ts';
import type { Prisma } from '../../src/db/index.ts';
import { claimStaleInbound, INBOX_STALE_AFTER_MS, markProcessed, recordInboundReadingConversation } from '../../src/inbox/index.ts';
import { ScreenAnchorBook, UNKNOWN_LOCALE, localeFromHint, toLoaded, type LoadedConversation, type ScreenAnchor } from '../../src/conversation/index.ts';
import { MAX_ATTEMPTS } from './channel-limits.ts';
import type { TextLocale } from '../../src/i18n/index.ts';
import type { Metrics } from '../../src/metrics/index.ts';
import { markUnreachable, recordInboundActivity } from '../../src/services/index.ts';
import { CallbackAnswer } from './callback-answer.ts';
import { deliver, ReplyKeyboards } from './delivery.ts';
import type { WebhookReply } from './webhook-reply.ts';
import { describeApiError, isUnreachable } from './errors.ts';
import { classify, type Incoming } from './updates.ts';
import type { FileSource } from '../../src/services/index.ts';

export type UpdateOutcome = 'processed' | 'duplicate' | 'ignored' | 'unreachable' | 'failed';

/** One update's handling as it goes. */
interface Turn {
  externalId: string;
  now: Date;
  /** The language to answer in: the app's until the conversation names one. */
  locale: TextLocale;
  /** The client's language code. */
  hint: string | null;
  /** The chat's activity is not recorded yet (a taken-over update). */
  activityPending: boolean;
  /** The conversation as read with the inbox record. */
  loaded?: LoadedConversation;
  /** The message showing the conversation's screen, as read with the inbox record. */
  anchor: ScreenAnchor | null;
  /** The runtime marked the update processed together with the conversation's new state. */
  settled: boolean;
}

export type PipelineCore = Pick<Core, 'runtime' | 'translator' | 'logger' | 'clock' | 'db' | 'metrics'>;

export interface PipelineOptions {
  /** How long a callback query may wait for the step before it is answered empty. */
  answerDeadlineMs?: number;
  /** Called when an update is settled (tests and metrics). */
  onSettled?: (updateId: number, outcome: UpdateOutcome) => void;
  /** Downloads the files parents send to the education department. */
  files?: FileSource;
}

const CHANNEL = 'TELEGRAM';

export class UpdatePipeline {
  private readonly keyboards = new ReplyKeyboards();
  /** Where each chat's screen is shown, read with the inbox record and written behind. */
  readonly anchors: ScreenAnchorBook;
  private readonly inflight = new Set<Promise<unknown>>();
  /** The webhook answers of updates that came by webhook, until the middleware takes them. */
  private readonly webhookReplies = new WeakMap<Update, WebhookReply>();

  constructor(
    private readonly core: PipelineCore,
    private readonly opts: PipelineOptions = {},
  ) {
    this.anchors = new ScreenAnchorBook(core.db.prisma, CHANNEL, core.logger);
  }

  /** The update (about to be given to grammY) came by webhook, whose answer may carry a call. */
  answersVia(update: Update, reply: WebhookReply): void {
    this.webhookReplies.set(update, reply);
  }

  /** grammY middleware: the last in the chain, it handles the update completely. */
  middleware(): MiddlewareFn<Context> {
    return (ctx) => {
      const work = this.handle(ctx.api, ctx.update, this.webhookReplies.get(ctx.update) ?? null);
      this.inflight.add(work);
      return work.finally(() => this.inflight.delete(work));
    };
  }

  /** Resolves when the updates being handled now are settled and their anchors written (graceful stop). */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
    await this.anchors.flush();
  }

  async handle(api: Api, update: Update, webhookReply: WebhookReply | null = null): Promise<UpdateOutcome> {
    const { logger, metrics } = this.core;
    const stopTimer = metrics.updateSeconds.startTimer({ channel: CHANNEL });
    metrics.updatesReceived.inc({ channel: CHANNEL });
    const incoming = classify(update);
    const chatId = incoming.chatId;
    const turn: Turn = {
      externalId: String(update.update_id),
      now: this.core.clock.now(),
      locale: localeFromHint(clientLanguage(update)) ?? UNKNOWN_LOCALE,
      hint: clientLanguage(update),
      activityPending: false,
      settled: false,
      anchor: null,
    };
    let callback: CallbackAnswer | null = null;
    let outcome: UpdateOutcome = 'failed';
    const answerFor = () =>
      update.callback_query ? new CallbackAnswer(api, update.callback_query.id, logger, this.opts.answerDeadlineMs, webhookReply) : null;
    try {
      const { fresh, conversation, anchor } = await recordInboundReadingConversation(this.prisma, {
        channel: CHANNEL,
        externalId: turn.externalId,
        chatId: chatId === null ? '' : String(chatId),
        // Kept until processed (a crash leaves it for recovery); markProcessed erases it.
        // Reason: an Update is JSON as Telegram sent it, but its interfaces lack the index signature Prisma's JSON type wants.
        payload: update as unknown as Prisma.InputJsonValue,
        // Recorded with the update, saving a round trip per message.
        activityAt: showsActivity(incoming) ? turn.now : undefined,
      });
      if (
        !fresh &&
        !(await claimStaleInbound(this.prisma, CHANNEL, turn.externalId, new Date(Date.now() - INBOX_STALE_AFTER_MS), { maxAttempts: MAX_ATTEMPTS }))
      ) {
        logger.debug({ updateId: update.update_id }, 'telegram: duplicate update skipped');
        return (outcome = 'duplicate');
      }
      callback = answerFor();
      // A taken-over stale update was not fresh, so its activity is still to be recorded.
      turn.activityPending = !fresh;
      turn.loaded = toLoaded(conversation);
      turn.anchor = chatId === null ? anchor : this.anchors.get(String(chatId), anchor);
      outcome = await this.process(api, incoming, callback, turn);
    } catch (err) {
      callback ??= answerFor();
      outcome = await this.fail(api, update, chatId, turn.locale, callback, err);
    } finally {
      await callback?.answer();
      if (outcome !== 'duplicate' && !turn.settled) await this.settle(turn.externalId);
      countOutcome(this.core.metrics, outcome);
      if (outcome !== 'duplicate') stopTimer();
      this.opts.onSettled?.(update.update_id, outcome);
    }
    return outcome;
  }

  private get prisma() {
    return this.core.db.prisma;
  }

  private async process(api: Api, incoming: Incoming, callback: CallbackAnswer | null, turn: Turn): Promise<UpdateOutcome> {
    if (incoming.kind === 'ignored') return 'ignored';
    const chatId = String(incoming.chatId);
    if (turn.activityPending && showsActivity(incoming)) await recordInboundActivity(this.prisma, CHANNEL, chatId, turn.now);
    if (incoming.kind === 'membership') {
      // A kicked bot cannot write to the chat; unblocking it makes the chat reachable again.
      if (incoming.blocked) await markUnreachable(this.prisma, CHANNEL, chatId, turn.now);
      return incoming.blocked ? 'unreachable' : 'processed';
    }
    const reply = await this.core.runtime.handle({ channel: CHANNEL, chatId }, incoming.input, {
      loaded: turn.loaded,
      settles: turn.externalId,
      localeHint: turn.hint,
      ...(this.opts.files ? { files: this.opts.files } : {}),
    });
    turn.locale = reply.locale;
    turn.settled = reply.settled;
    const anchor = await deliver(
      {
        api,
        translator: this.core.translator,
        keyboards: this.keyboards,
        chatId: incoming.chatId,
        locale: reply.locale,
        callback,
        pressedMessageId: incoming.callback?.messageId ?? null,
        via: incoming.via,
        anchor: turn.anchor,
      },
      reply.outputs,
    );
    // Only when another message shows the screen now: most updates edit in place or send no screen.
    if (anchor && (anchor.seq !== turn.anchor?.seq || anchor.messageId !== turn.anchor.messageId)) this.anchors.set(chatId, anchor);
    return 'processed';
  }

  private async fail(
    api: Api,
    update: Update,
    chatId: number | null,
    locale: TextLocale,
    callback: CallbackAnswer | null,
    err: unknown,
  ): Promise<UpdateOutcome> {
    const { logger } = this.core;
    if (chatId !== null && isUnreachable(err)) {
      logger.info({ updateId: update.update_id, ...describeApiError(err) }, 'telegram: chat unreachable (bot blocked)');
      await markUnreachable(this.prisma, CHANNEL, String(chatId), this.core.clock.now()).catch((e: unknown) =>
        logger.error({ err: e }, 'telegram: marking a chat unreachable failed'),
      );
      return 'unreachable';
    }
    logger.error({ updateId: update.update_id, ...describeApiError(err) }, 'telegram: handling an update failed');
    if (chatId === null) return 'failed';
    const text = this.core.translator.t(locale, 'common.error');
    try {
      if (!(callback && (await callback.answer(text)))) await api.sendMessage(chatId, text);
    } catch (e) {
      if (isUnreachable(e)) await markUnreachable(this.prisma, CHANNEL, String(chatId), this.core.clock.now()).catch(() => undefined);
      else logger.warn(describeApiError(e), 'telegram: telling the parent about an error failed');
    }
    return 'failed';
  }

  /** Marks the update processed; a failure here only means a redelivery would be handled again. */
  private async settle(externalId: string): Promise<void> {
    try {
      await markProcessed(this.prisma, CHANNEL, externalId, this.core.clock.now());
    } catch (err) {
      this.core.logger.warn({ err, updateId: externalId }, 'telegram: marking an update processed failed');
    }
  }
}

/** A blocked chat or an update with nothing to do was handled to the end, as far as the figures go. */
function countOutcome(metrics: Metrics, outcome: UpdateOutcome): void {
  if (outcome === 'duplicate') metrics.updatesDuplicate.inc({ channel: CHANNEL });
  else if (outcome === 'failed') metrics.updatesFailed.inc({ channel: CHANNEL });
  else metrics.updatesProcessed.inc({ channel: CHANNEL });
}

/** Updates that show the chat reachable: the parent wrote or pressed, or unblocked the bot. */
function showsActivity(incoming: Incoming): boolean {
  return incoming.kind === 'input' || (incoming.kind === 'membership' && !incoming.blocked);
}

/** The parent's app language, for an error message before the conversation's language is known. */
function clientLanguage(update: Update): string | null {
  return (update.message?.from ?? update.callback_query?.from)?.language_code ?? null;
}
