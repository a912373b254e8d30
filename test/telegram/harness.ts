/**
 * End-to-end harness for the Telegram channel: a real core (database, runtime, HTTP server) per
 * test file and database kind, and per test a fresh fake Bot API with a TelegramChannel started
 * against it in polling or webhook mode. `TelegramParent` plays a parent in a private chat: it
 * sends updates, presses buttons found on the messages the bot really sent, and waits until the
 * channel has settled each update.
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import type { Update } from 'grammy/types';
import { assembleCore, type Core } from '../../src/app.ts';
import { loadConfig } from '../../src/config/env.ts';
import type { Locale } from '../../src/conversation/core/views.ts';
import type { Param } from '../../src/conversation/core/io.ts';
import { createLogger } from '../../src/log.ts';
import { TelegramChannel, type TelegramChannelOptions } from '../../bots/telegram/channel.ts';
import type { UpdateOutcome } from '../../bots/telegram/pipeline.ts';
import { createTestDatabase, type TestDbKind, type TestDatabase } from '../../test-support/db.ts';
import { createApplication, createOpenSeasonWithKindergartens, createParent, truncateAll } from '../helpers/fixtures.ts';
import { FakeTelegramApi, type SentMessage } from '../../test-support/fakes/telegram-api.ts';
import {
  callbackQuery,
  contactMessage,
  locationMessage,
  startCommand,
  stickerMessage,
  textMessage,
  userFor,
  type NewUpdate,
  type TestUser,
} from '../../test-support/fakes/telegram-updates.ts';

export type Mode = 'polling' | 'webhook';
export const MODES: Mode[] = ['polling', 'webhook'];

export const WEBHOOK_SECRET = 'test_secret-123';
const DAY = 86_400_000;

export interface Suite {
  core: () => Core;
  db: () => TestDatabase;
  /** The HTTP server's port (webhook mode). */
  port: () => number;
}

/** One database and core per describe block; tables emptied before each test. `env` adds settings (LINK_SECRET…). */
export function useSuite(kind: TestDbKind, env: Record<string, string> = {}): Suite {
  let db: TestDatabase;
  let core: Core;
  let port = 0;
  beforeAll(async () => {
    db = await createTestDatabase(kind);
    const config = loadConfig({ SEED_DEMO: 'false', LOG_LEVEL: 'silent', ...env });
    core = await assembleCore(db, config, { seedDemo: false, logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent') });
    port = await core.http.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await core?.close();
  });
  beforeEach(async () => {
    await truncateAll(db.prisma);
  });
  return { core: () => core, db: () => db, port: () => port };
}

/** A parent with two applications that need extension, twelve kindergartens, an open season. */
export async function seedWorld(core: Core) {
  const db = core.db.prisma;
  const now = Date.now();
  const { season, kindergartens } = await createOpenSeasonWithKindergartens(db, 'TG', now);
  const parent = await createParent(db, { phone: '+77011234567' });
  const other = await createParent(db, { phone: '+77017654321' });
  const applications = [
    await createApplication(db, { parentId: parent.id, validUntil: new Date(now + 20 * DAY), kindergartenIds: [kindergartens[0]!.id] }),
    await createApplication(db, { parentId: parent.id, validUntil: new Date(now + 20 * DAY) }),
  ];
  return { season, kindergartens, parent, other, applications };
}

export interface Bot {
  fake: FakeTelegramApi;
  channel: TelegramChannel;
  mode: Mode;
  /** Delivers an update the way the mode does and waits until the channel settled it. */
  send(update: NewUpdate | Update): Promise<Update>;
  /** Settled outcomes per update_id, in order. */
  outcomes: Map<number, UpdateOutcome[]>;
  parent(user: TestUser, locale: Locale): TelegramParent;
}

/** Starts a fake Bot API and a channel on it; both are stopped after the test. */
export function useBot(suite: Suite) {
  const started: { fake: FakeTelegramApi; channel: TelegramChannel }[] = [];
  afterEach(async () => {
    for (const s of started.splice(0)) {
      await s.channel.stop();
      await s.fake.close();
    }
  });
  return async (mode: Mode, opts: TelegramChannelOptions & { fake?: FakeTelegramApi } = {}): Promise<Bot> => {
    const core = suite.core();
    const fake = opts.fake ?? (await FakeTelegramApi.start());
    const outcomes = new Map<number, UpdateOutcome[]>();
    const waiters = new Set<() => void>();
    const channel = new TelegramChannel(
      core,
      {
        token: fake.token,
        apiRoot: fake.apiRoot,
        ...(mode === 'webhook' ? { webhookUrl: `http://127.0.0.1:${suite.port()}`, webhookSecret: WEBHOOK_SECRET } : {}),
      },
      {
        pollTimeoutSeconds: 1,
        ...opts,
        onSettled: (id, outcome) => {
          outcomes.set(id, [...(outcomes.get(id) ?? []), outcome]);
          for (const w of [...waiters]) w();
          opts.onSettled?.(id, outcome);
        },
      },
    );
    started.push({ fake, channel });
    await channel.start();

    const settledTimes = (id: number) => outcomes.get(id)?.length ?? 0;
    const waitSettled = (id: number, times: number) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (settledTimes(id) < times) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`update ${id} was not settled in time`));
        }, 15_000);
        waiters.add(check);
        check();
      });

    const bot: Bot = {
      fake,
      channel,
      mode,
      outcomes,
      async send(update) {
        const stamped = fake.stamp(update);
        const before = settledTimes(stamped.update_id);
        if (mode === 'webhook') {
          expect(await fake.deliver(stamped)).toBe(200);
        } else {
          fake.enqueue(stamped);
        }
        await waitSettled(stamped.update_id, before + 1);
        return stamped;
      },
      parent: (user, locale) => new TelegramParent(bot, core, user, locale),
    };
    return bot;
  };
}

/** A parent in a private chat with the bot. */
export class TelegramParent {
  constructor(
    readonly bot: Bot,
    private readonly core: Core,
    readonly user: TestUser,
    public locale: Locale,
  ) {}

  get chatId(): number {
    return this.user.id;
  }

  get fake(): FakeTelegramApi {
    return this.bot.fake;
  }

  /** Every message of the chat, as shown now. */
  messages(): SentMessage[] {
    return this.fake.chat(this.chatId);
  }

  last(): SentMessage {
    const m = this.fake.lastMessage(this.chatId);
    if (!m) throw new Error('the bot has not written to this chat');
    return m;
  }

  /** The newest message that carries an inline keyboard. */
  keyboard(): SentMessage {
    const m = this.messages()
      .filter((x) => x.inline)
      .at(-1);
    if (!m) throw new Error('no message with an inline keyboard');
    return m;
  }

  t(key: string, params?: Record<string, Param>): string {
    return this.core.translator.t(this.locale, key, params);
  }

  /** Sent messages (texts) since `from` messages. */
  textsSince(from: number): string[] {
    return this.messages()
      .slice(from)
      .map((m) => m.text);
  }

  start(languageCode = this.user.language_code) {
    return this.bot.send(startCommand({ ...this.user, ...(languageCode ? { language_code: languageCode } : {}) }));
  }

  text(text: string) {
    return this.bot.send(textMessage(this.user, text));
  }

  contact(phone: string, userId: number | null = this.user.id) {
    return this.bot.send(contactMessage(this.user, phone, userId));
  }

  location(lat: number, lon: number) {
    return this.bot.send(locationMessage(this.user, lat, lon));
  }

  sticker() {
    return this.bot.send(stickerMessage(this.user));
  }

  /** The button with this label (a tick in front allowed) on a message (default: the newest keyboard). */
  button(label: string | RegExp, on: SentMessage = this.keyboard()) {
    const all = (on.inline ?? []).flat();
    const found = all.find((b) => {
      const plain = b.text.replace(/^✅ /, '').replace(/^\d+\. /, '');
      return typeof label === 'string' ? b.text === label || plain === label : label.test(b.text);
    });
    if (!found) throw new Error(`no button "${String(label)}" on message ${on.message_id}: ${all.map((b) => b.text).join(' | ')}`);
    return found;
  }

  /** Presses the button with the text of `key` (rendered in the parent's language). */
  pressKey(key: string, params?: Record<string, Param>, on?: SentMessage) {
    return this.press(this.t(key, params), on);
  }

  press(label: string | RegExp, on: SentMessage = this.keyboard()) {
    const button = this.button(label, on);
    return this.bot.send(callbackQuery(this.fake, this.user, on, button.callback_data!));
  }

  /** A callback query with arbitrary data on a message (forged or outdated buttons). */
  pressData(data: string, on: SentMessage = this.keyboard()) {
    return this.bot.send(callbackQuery(this.fake, this.user, on, data));
  }
}

export const parentUser = (id: number, languageCode?: string) => userFor(id, languageCode);

/** Nothing the bot sent was refused by the Bot API (a 64-byte overflow would show here). */
export function expectNoRefusedCalls(fake: FakeTelegramApi): void {
  const refused = fake.calls.filter((c) => !c.response.ok && c.method !== 'getUpdates');
  expect(refused.map((c) => `${c.method}: ${(c.response as { description: string }).description}`)).toEqual([]);
}

/** Every callback query the fake issued was answered exactly once. */
export function expectEveryCallbackAnsweredOnce(fake: FakeTelegramApi): void {
  const wrong = [...fake.callbackAnswers].filter(([, n]) => n !== 1);
  expect(wrong).toEqual([]);
}

/** Every callback_data of every keyboard the bot sent fits in 64 bytes. */
export function expectCallbackDataWithinLimit(fake: FakeTelegramApi): void {
  const all = fake.calls
    .filter((c) => c.params.reply_markup?.inline_keyboard)
    .flatMap((c) => (c.params.reply_markup.inline_keyboard as { callback_data?: string }[][]).flat());
  expect(all.length).toBeGreaterThan(0);
  for (const b of all) expect(Buffer.byteLength(b.callback_data ?? '', 'utf8')).toBeLessThanOrEqual(64);
}
