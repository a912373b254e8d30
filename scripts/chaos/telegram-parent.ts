/**
 * A parent chatting on Telegram through the balancer: identification (language, own contact,
 * IIN), then — unless only idling in the queue — the six questions and the extension. A step whose
 * answer never came (its instance was killed) is tried again with a fresh update, as a parent
 * taps again when the bot stays silent.
 */
import type { Update } from 'grammy/types';
import type { FakeTelegramApi, ApiCall } from '../../test-support/fakes/telegram-api.ts';
import { callbackQuery, contactMessage, startCommand, textMessage, userFor, type NewUpdate, type TestUser } from '../../test-support/fakes/telegram-updates.ts';
import { type Button, isChoice, isReminderText, isToggle, nextPress } from './autopilot.ts';
import type { Balancer } from './balancer.ts';
import { sleep } from './random.ts';

export interface SimParent {
  iin: string;
  phone: string;
  /** Stops after identification: gets the campaign's reminders. */
  idle: boolean;
}

export interface ParentOutcome {
  identified: boolean;
  completed: boolean;
  retries: number;
  stuck: string | null;
  /** When the parent first wrote to the bot (epoch ms): from then on they are using it. */
  firstWroteAt?: number;
}

export const TELEGRAM_SECRET = 'chaos_secret';

interface Keyboard {
  messageId: number;
  date: number;
  text: string;
  buttons: Button[];
}

/** What each chat shows, kept from the fake's call log incrementally (the bench's reader, minus reminders). */
export class TelegramScreens {
  private seen = 0;
  private readonly keyboards = new Map<number, Keyboard>();
  private readonly replies = new Map<number, number>();
  constructor(readonly fake: FakeTelegramApi) {}

  private refresh(): void {
    const calls = this.fake.calls;
    for (; this.seen < calls.length; this.seen++) {
      const c: ApiCall = calls[this.seen]!;
      if (!['sendMessage', 'editMessageText', 'editMessageReplyMarkup'].includes(c.method) || !c.response.ok) continue;
      const chatId = Number(c.params.chat_id);
      this.replies.set(chatId, (this.replies.get(chatId) ?? 0) + 1);
      const inline = c.params.reply_markup?.inline_keyboard as { text: string; callback_data?: string }[][] | undefined;
      const result = c.response.result as { message_id?: number; date?: number; text?: string };
      const text = String(c.params.text ?? result.text ?? '');
      if (!inline || isReminderText(text)) continue;
      this.keyboards.set(chatId, {
        messageId: result.message_id ?? Number(c.params.message_id),
        date: result.date ?? Math.floor(Date.now() / 1000),
        text,
        buttons: inline
          .flat()
          .filter((b) => b.callback_data)
          .map((b) => ({ text: b.text, data: b.callback_data! })),
      });
    }
  }

  keyboard(chatId: number): Keyboard | null {
    this.refresh();
    return this.keyboards.get(chatId) ?? null;
  }

  /** Messages sent or edited in the chat so far (reminders included). */
  replyCount(chatId: number): number {
    this.refresh();
    return this.replies.get(chatId) ?? 0;
  }
}

export class TelegramParent {
  readonly user: TestUser;
  readonly outcome: ParentOutcome = { identified: false, completed: false, retries: 0, stuck: null };

  constructor(
    private readonly p: SimParent,
    userId: number,
    private readonly screens: TelegramScreens,
    private readonly lb: Balancer,
    private readonly acknowledged: Set<string>,
  ) {
    this.user = userFor(userId, 'ru');
  }

  private get fake() {
    return this.screens.fake;
  }

  /** Posts a fresh update built by `make` until the bot answers in the chat (at most 4 tries). */
  private async step(make: () => NewUpdate | null): Promise<boolean> {
    for (let attempt = 0; attempt < 4; attempt++) {
      const update = make();
      if (!update) return false;
      this.outcome.firstWroteAt ??= Date.now();
      const u: Update = this.fake.stamp(update);
      const before = this.screens.replyCount(this.user.id);
      const answer = await this.lb.post('/webhooks/telegram', JSON.stringify(u), {
        'content-type': 'application/json',
        'x-telegram-bot-api-secret-token': TELEGRAM_SECRET,
      });
      // The callback query's answer rides on the webhook's answer: Telegram makes that call.
      await this.fake.webhookAnswered(answer.contentType, answer.body);
      this.acknowledged.add(String(u.update_id));
      // The webhook answers after the replies went out; a little grace for an edit racing the answer.
      for (let i = 0; i < 5; i++) {
        if (this.screens.replyCount(this.user.id) > before) return true;
        await sleep(100);
      }
      this.outcome.retries++;
    }
    return false;
  }

  private press(pick: (buttons: Button[]) => Button | undefined | null): () => NewUpdate | null {
    return () => {
      const k = this.screens.keyboard(this.user.id);
      const b = k ? pick(k.buttons) : null;
      if (!k || !b) return null;
      return callbackQuery(
        this.fake,
        this.user,
        { message_id: k.messageId, chatId: this.user.id, text: k.text, inline: null, sentMarkup: null, date: k.date, editCount: 0 },
        b.data,
      );
    };
  }

  async run(): Promise<ParentOutcome> {
    const o = this.outcome;
    if (!(await this.step(() => startCommand(this.user)))) return { ...o, stuck: 'start' };
    if (!(await this.step(this.press((bs) => bs.find((b) => isChoice(b.data, 'ru')))))) return { ...o, stuck: 'language' };
    if (!(await this.step(() => contactMessage(this.user, this.p.phone.slice(1))))) return { ...o, stuck: 'contact' };
    if (!(await this.step(() => textMessage(this.user, this.p.iin)))) return { ...o, stuck: 'iin' };
    o.identified = true;
    if (this.p.idle) return o;
    if (!(await this.step(this.press(() => ({ text: 'extend', data: 'x.extend' }))))) return { ...o, stuck: 'extend' };
    let lastMessage = -1;
    let tickedHere = false;
    for (let n = 0; n < 60; n++) {
      const k = this.screens.keyboard(this.user.id);
      if (!k) return { ...o, stuck: 'no keyboard' };
      if (k.messageId !== lastMessage) tickedHere = false;
      lastMessage = k.messageId;
      const next = nextPress(k.buttons, tickedHere);
      if (!next) return { ...o, stuck: `nothing to press on "${k.text.slice(0, 60)}"` };
      if (isToggle(next.data)) tickedHere = true;
      if (!(await this.step(this.press(() => ({ text: '', data: next.data }))))) return { ...o, stuck: 'no answer' };
      if (next.final) {
        o.completed = true;
        return o;
      }
    }
    return { ...o, stuck: 'too many steps' };
  }
}
