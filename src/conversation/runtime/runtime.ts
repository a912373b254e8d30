/**
 * Runs the pure conversation against the database: loads the chat's state, steps it with the
 * input, executes the effects it asks for (feeding their results back in), and saves the new
 * state under optimistic locking — a concurrent update of the same chat makes this one start
 * over from the fresh state, so no answer is lost.
 */
import type { Clock } from '../../clock.ts';
import type { Config } from '../../config/env.ts';
import { jsonSafe } from '../../db/json-safe.ts';
import type { KindergartenPages } from '../../services/kindergarten-pages.ts';
import type { LinkService } from '../../links/links.ts';
import type { PrismaClient } from '../../generated/prisma/client.ts';
import type { Logger } from '../../log.ts';
import { executeEffect } from './execute-effect.ts';
import type { Input, Output } from '../core/io.ts';
import { notice } from '../core/result.ts';
import { initialState, type ConversationState } from '../core/state.ts';
import { runConversation } from '../core/run.ts';
import { loadConversation, saveConversation, type LoadedConversation, type StateRecovery } from './store.ts';
import type { TextLocale } from '../../i18n/translator.ts';
import type { FileSource } from '../../services/support.ts';
import type { ChannelName, Locale } from '../core/views.ts';

export interface ChatRef {
  channel: ChannelName;
  chatId: string;
}

export interface Reply {
  outputs: Output[];
  /** The language to render the outputs in; `both` until the chat's language is known. */
  locale: TextLocale;
  state: ConversationState;
  /** The inbox update named by `HandleOptions.settles` was marked processed with the saved state. */
  settled: boolean;
}

export interface HandleOptions {
  /** The chat's conversation as already read (with the inbox record); used for the first attempt. */
  loaded?: LoadedConversation;
  /** The inbox update this input comes from: marked processed by the same statement that saves the state. */
  settles?: string;
  /**
   * The client's language (Telegram's `language_code`), when the platform tells it: a chat whose
   * language is not chosen yet is answered in it (and offers it first) instead of in both.
   */
  localeHint?: string | null;
  /**
   * The sender's number as the platform proves it (WhatsApp's wa_id): an opt-out from this chat
   * also covers the parents whose registry phone it is.
   */
  senderPhone?: string | null;
  /** Downloads the photos and documents parents send to the education department. */
  files?: FileSource;
}

export interface RuntimeDeps {
  prisma: PrismaClient;
  config: Pick<Config, 'identification' | 'restorePolicy'> & Partial<Pick<Config, 'support'>>;
  clock: Clock;
  logger: Logger;
  kindergartenPages?: KindergartenPages;
  /** Redeems deep links; without it every link is refused. */
  links?: LinkService;
}

/** Texts for a chat whose language is neither chosen nor hinted by its client: Kazakh, then Russian. */
export const UNKNOWN_LOCALE: TextLocale = 'both';

/** `kk` or `ru` from a client's language code ("ru-RU" → ru), or null. */
export function localeFromHint(hint: string | null | undefined): Locale | null {
  const code = hint?.slice(0, 2).toLowerCase();
  return code === 'kk' || code === 'ru' ? code : null;
}

const MAX_ATTEMPTS = 8;

export class ConversationRuntime {
  constructor(private readonly deps: RuntimeDeps) {}

  /**
   * Handles one input of one chat: loads the chat's conversation (or takes `opts.loaded`), runs
   * {@link step} with the input, carries out the effects it asks for through the services and
   * feeds their results back in, then saves the new state under the version it was loaded with —
   * in the same statement marking the inbox update `opts.settles` processed. When another update
   * of the same chat saved first, it starts over from the fresh state (up to 8 times), so no
   * answer is lost or applied twice.
   *
   * A step or effect that fails is logged and answered with the `common.error` notice, and nothing
   * is saved: the parent stays where they were and can try again. It sends nothing itself: the
   * channel renders `reply.outputs` in `reply.locale` (bots/telegram/render.ts,
   * bots/whatsapp/render.ts).
   *
   * @example
   * ```ts
   * import { systemClock } from '../../clock.ts';
   * import { loadConfig } from '../../config/env.ts';
   * import type { PrismaClient } from '../../generated/prisma/client.ts';
   * import { createLogger } from '../../log.ts';
   * import { ConversationRuntime, type ChatRef } from './runtime.ts';
   *
   * declare const prisma: PrismaClient; // (await openDatabase(…)).prisma, src/db/client.ts
   * const runtime = new ConversationRuntime({ prisma, config: loadConfig(), clock: systemClock, logger: createLogger() });
   *
   * const chat: ChatRef = { channel: 'TELEGRAM', chatId: '123456789' };
   * const reply = await runtime.handle(chat, { type: 'start', languageHint: 'kk' });
   * reply.state.screen; // 'language' (saved: the next input of this chat continues from here)
   * reply.locale; // 'kk': the client's language, until the parent chooses one
   *
   * const next = await runtime.handle(chat, { type: 'action', seq: reply.state.seq, action: { type: 'choose', value: 'kk' } });
   * next.outputs; // [{ kind: 'message', body: [{ key: 'identify.contactPrompt' }], request: 'contact', … }]
   * ```
   */
  async handle(chat: ChatRef, given: Input, opts: HandleOptions = {}): Promise<Reply> {
    // Texts go into queries and the stored state: characters the database cannot hold are replaced.
    const input = jsonSafe(given);
    let preloaded = opts.loaded;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const loaded = preloaded ?? (await loadConversation(this.deps.prisma, chat.channel, chat.chatId));
      preloaded = undefined;
      const { version } = loaded;
      // A chat that never chose its language speaks the client's, as /start would preselect it.
      const hinted = loaded.state.locale === null ? localeFromHint(opts.localeHint) : null;
      const state = hinted ? { ...loaded.state, locale: hinted } : loaded.state;
      if (loaded.recovery) {
        const refused = this.recovered(chat, loaded.recovery, opts);
        if (refused) return refused;
      }
      let reply: Reply;
      try {
        reply = await this.run(chat, state, input, opts);
      } catch (err) {
        this.deps.logger.error({ err, channel: chat.channel, chatId: chat.chatId, input: input.type }, 'conversation step failed');
        // The state is not saved: the parent stays where they were and can simply try again.
        return { outputs: [notice('common.error')], locale: state.locale ?? UNKNOWN_LOCALE, state, settled: false };
      }
      const saved = await saveConversation(this.deps.prisma, chat.channel, chat.chatId, reply.state, version, {
        settles: opts.settles,
        now: this.deps.clock.now(),
      });
      if (saved) return { ...reply, settled: opts.settles !== undefined };
      this.deps.logger.debug({ channel: chat.channel, chatId: chat.chatId, attempt }, 'conversation version conflict, retrying');
      // Jitter spreads contenders apart, so each retry is likely to find the row free.
      await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
    }
    const { state } = await loadConversation(this.deps.prisma, chat.channel, chat.chatId);
    return { outputs: [notice('common.busy')], locale: state.locale ?? localeFromHint(opts.localeHint) ?? UNKNOWN_LOCALE, state, settled: false };
  }

  /** Logs a stored state that was not in this release's shape; a reply when it must not be processed here. */
  private recovered(chat: ChatRef, recovery: StateRecovery, opts: HandleOptions): Reply | null {
    const where = { channel: chat.channel, chatId: chat.chatId };
    switch (recovery.kind) {
      case 'upgraded':
        this.deps.logger.debug({ ...where, from: recovery.from }, 'conversation state moved forward from an earlier release');
        return null;
      case 'unreadable':
        this.deps.logger.warn({ ...where, reason: recovery.reason }, 'conversation state unreadable; the conversation starts over');
        return null;
      case 'newer':
        // A rolling deploy: a newer instance wrote it. Overwriting would lose its answers; the
        // parent retries and a newer instance takes it.
        this.deps.logger.warn({ ...where, version: recovery.version }, 'conversation state saved by a newer release; not processed here');
        return { outputs: [notice('common.busy')], locale: localeFromHint(opts.localeHint) ?? UNKNOWN_LOCALE, state: initialState(), settled: false };
    }
  }

  private async run(chat: ChatRef, initial: ConversationState, input: Input, opts: HandleOptions): Promise<Reply> {
    const ctx = {
      ...this.deps,
      channel: chat.channel,
      chatId: chat.chatId,
      senderPhone: opts.senderPhone ?? null,
      ...(opts.settles !== undefined ? { inboundKey: opts.settles } : {}),
      ...(opts.files ? { files: opts.files } : {}),
    };
    const { state, outputs } = await runConversation(initial, input, (effect, now) => executeEffect({ ...ctx, locale: now.locale ?? undefined }, effect));
    return { outputs, locale: state.locale ?? UNKNOWN_LOCALE, state, settled: false };
  }
}
