/**
 * Runs the pure conversation against the database: loads the chat's state, steps it with the
 * input, executes the effects it asks for (feeding their results back in), and saves the new
 * state under optimistic locking — a concurrent update of the same chat makes this one start
 * over from the fresh state, so no answer is lost.
 */
import type { Clock } from '../clock.ts';
import type { Config } from '../config/env.ts';
import { jsonSafe } from '../db/json-safe.ts';
import type { KindergartenPages } from '../services/kindergarten-pages.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { Logger } from '../log.ts';
import { executeEffect } from './execute-effect.ts';
import type { Input, Output } from './io.ts';
import { notice } from './result.ts';
import type { ConversationState } from './state.ts';
import { step } from './step.ts';
import { loadConversation, saveConversation, type LoadedConversation } from './store.ts';
import type { ChannelName, Locale } from './views.ts';

export interface ChatRef {
  channel: ChannelName;
  chatId: string;
}

export interface Reply {
  outputs: Output[];
  /** The language to render the outputs in. */
  locale: Locale;
  state: ConversationState;
  /** The inbox update named by `HandleOptions.settles` was marked processed with the saved state. */
  settled: boolean;
}

export interface HandleOptions {
  /** The chat's conversation as already read (with the inbox record); used for the first attempt. */
  loaded?: LoadedConversation;
  /** The inbox update this input comes from: marked processed by the same statement that saves the state. */
  settles?: string;
}

export interface RuntimeDeps {
  prisma: PrismaClient;
  config: Pick<Config, 'identification' | 'restorePolicy'>;
  clock: Clock;
  logger: Logger;
  kindergartenPages?: KindergartenPages;
}

/** Before a language is chosen only the bilingual language prompt and notices are shown. */
export const DEFAULT_LOCALE: Locale = 'kk';

const MAX_ATTEMPTS = 8;
/** A guard against a state machine that keeps asking for effects. */
const MAX_EFFECTS = 16;

export class ConversationRuntime {
  constructor(private readonly deps: RuntimeDeps) {}

  async handle(chat: ChatRef, given: Input, opts: HandleOptions = {}): Promise<Reply> {
    // Texts go into queries and the stored state: characters the database cannot hold are replaced.
    const input = jsonSafe(given);
    let preloaded = opts.loaded;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const { state, version } = preloaded ?? (await loadConversation(this.deps.prisma, chat.channel, chat.chatId));
      preloaded = undefined;
      let reply: Reply;
      try {
        reply = await this.run(chat, state, input);
      } catch (err) {
        this.deps.logger.error({ err, channel: chat.channel, chatId: chat.chatId, input: input.type }, 'conversation step failed');
        // The state is not saved: the parent stays where they were and can simply try again.
        return { outputs: [notice('common.error')], locale: state.locale ?? DEFAULT_LOCALE, state, settled: false };
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
    return { outputs: [notice('common.busy')], locale: state.locale ?? DEFAULT_LOCALE, state, settled: false };
  }

  private async run(chat: ChatRef, initial: ConversationState, input: Input): Promise<Reply> {
    const ctx = { ...this.deps, channel: chat.channel, chatId: chat.chatId };
    const outputs: Output[] = [];
    const pending: Input[] = [input];
    let state = initial;
    let executed = 0;
    while (pending.length > 0) {
      const result = step(state, pending.shift()!);
      state = result.state;
      outputs.push(...result.outputs);
      for (const effect of result.effects) {
        if (++executed > MAX_EFFECTS) throw new Error('too many effects in one step');
        const outcome = await executeEffect({ ...ctx, locale: state.locale ?? undefined }, effect);
        if (outcome) pending.push({ type: 'result', result: outcome });
      }
    }
    return { outputs, locale: state.locale ?? DEFAULT_LOCALE, state, settled: false };
  }
}
