/**
 * Campaign notifications by SMS, the last resort for parents with SMS consent and no reachable
 * chat: the notification's short text (texts.ts) with the link to its page (src/links/sms-page.ts:
 * the bots, the stop button), through one `SmsProvider`, within the daily budget of parts and the
 * daytime window.
 *
 * - Parts are reserved before the provider is called and given back only when it certainly did not
 *   send (budget.ts); a message that does not fit today's budget is deferred — given back untried,
 *   its attempt not counted — to the next day's window opening. Per message, not per batch: at the
 *   channel's rate (10 a second) that is no load, and a crash keeps at most the parts of the
 *   messages in flight spent.
 * - Every kind waits for the daytime window (the dispatcher holds only reminders): a text that
 *   arrives at night sounds on the parent's phone, unlike a chat message.
 * - The batch is checked first (`deferred`): once the budget is spent, a whole claimed batch is
 *   deferred in one statement instead of each message taking a send slot to learn it.
 * - Sends once per call; no provider has an idempotency key, so a send whose answer is lost may be
 *   repeated by the outbox (at most the one in flight per lane, as on the other channels).
 */
import type { Clock } from '../../clock.ts';
import type { Db } from '../../services/db.ts';
import type { Translator } from '../../i18n/translator.ts';
import { isWithinWindow, nextWindowOpening, type DaytimeWindow } from '../schedule.ts';
import { SendFailure, type Deferral, type Notification, type NotificationSender, type SendOutcome } from '../senders.ts';
import { almatyDay, fitBudget, nextAlmatyMidnight, releaseSegments, reserveSegments, segmentsSpent, SMS_BUDGET_SPENT } from './budget.ts';
import { SmsProviderError, type SmsProvider } from './provider.ts';
import { countSegments } from './segments.ts';
import { smsText } from './texts.ts';

/** `error` of an outbox row waiting for the daytime window. */
export const SMS_NIGHT = 'sms: outside the daytime window';

/** International format, digits only, as the registry's E.164 phone without "+". */
const PHONE_DIGITS = /^[1-9]\d{7,14}$/;

export interface SmsNotifierOptions {
  provider: SmsProvider;
  translator: Translator;
  db: Db;
  clock: Clock;
  /** SMS_DAILY_BUDGET: parts per Almaty calendar day, all instances together. */
  dailyBudget: number;
  /** Asia/Almaty hours in which SMS go, whatever the kind. */
  window: DaytimeWindow;
  /** SMS_FROM: the registered sender name; absent → the account's default. */
  from?: string;
}

export class SmsNotifier implements NotificationSender {
  readonly channel = 'SMS' as const;

  constructor(private readonly o: SmsNotifierOptions) {}

  /**
   * The text a notification goes as, and its parts; null without content or without its page's
   * link (the only way the text can say how to stop; configuration makes sure there is one).
   */
  render(n: Notification): { text: string; segments: number } | null {
    if (!n.content || !n.link) return null;
    const text = smsText(this.o.translator, n.content, n.locale, n.link);
    return { text, segments: countSegments(text).segments };
  }

  async deferred(batch: { id: number; notification: Notification }[], now: Date): Promise<Deferral> {
    const { window, dailyBudget } = this.o;
    if (!isWithinWindow(now, window)) return { rows: batch.map((b) => ({ id: b.id, at: nextWindowOpening(now, window) })), reason: SMS_NIGHT };
    const left = dailyBudget - (await segmentsSpent(this.o.db, almatyDay(now)));
    const sized = batch.flatMap((b) => {
      const segments = this.render(b.notification)?.segments;
      // Unrenderable, or larger than a whole day's budget: `send` fails it rather than deferring it day after day.
      return segments === undefined || segments > dailyBudget ? [] : [{ id: b.id, segments }];
    });
    const { over } = fitBudget(sized, left);
    const at = this.nextDay(now);
    return { rows: over.map((o) => ({ id: o.id, at })), reason: SMS_BUDGET_SPENT };
  }

  async send(n: Notification): Promise<SendOutcome> {
    const rendered = this.render(n);
    if (!rendered)
      throw new SendFailure({
        kind: 'fatal',
        operator: true,
        reason: 'sms: no content, or no link to the SMS page (PUBLIC_URL, links on), to write the text from',
      });
    if (!PHONE_DIGITS.test(n.chatId)) throw new SendFailure({ kind: 'unreachable', reason: 'sms: not a phone number in international format' });
    const { db, dailyBudget, window, provider } = this.o;
    if (rendered.segments > dailyBudget) {
      throw new SendFailure({
        kind: 'fatal',
        operator: true,
        reason: `sms: a message of ${rendered.segments} parts cannot fit SMS_DAILY_BUDGET=${dailyBudget}`,
      });
    }
    const now = this.o.clock.now();
    if (!isWithinWindow(now, window)) throw new SendFailure({ kind: 'defer', until: nextWindowOpening(now, window), reason: SMS_NIGHT });
    const day = almatyDay(now);
    if (!(await reserveSegments(db, day, rendered.segments, dailyBudget))) {
      throw new SendFailure({ kind: 'defer', until: this.nextDay(now), reason: SMS_BUDGET_SPENT });
    }
    try {
      const { messageId } = await provider.send(n.chatId, rendered.text, this.o.from);
      return { externalId: messageId, viaTemplate: false };
    } catch (err) {
      if (!(err instanceof SmsProviderError))
        throw new SendFailure({ kind: 'retry', reason: `sms ${provider.name}: ${err instanceof Error ? err.message : String(err)}` });
      // If giving back fails the parts stay spent: the safe side.
      if (err.certainlyNotSent) await releaseSegments(db, day, rendered.segments).catch(() => undefined);
      throw new SendFailure(err.failure);
    }
  }

  /** The next day's first moment in the window: its budget is fresh. */
  private nextDay(now: Date): Date {
    return nextWindowOpening(nextAlmatyMidnight(now), this.o.window);
  }
}
