/**
 * The SMS part of the campaign's plan, for operators: how many SMS wait to go this season, the
 * parts (segments) they take — each text as this deployment writes it, with its page's link of the
 * real length — against the daily budget: spent today, and the sending days the rest needs.
 */
import type { Locale } from '../../conversation/core/views.ts';
import type { Translator } from '../../i18n/translator.ts';
import { SMS_PAGE_PATH } from '../../links/links.ts';
import { TOKEN_LENGTH } from '../../links/token.ts';
import type { Db } from '../../services/db.ts';
import type { NotificationContent } from '../notifications.ts';
import { REMINDER, STOPLIST_NOTICE } from '../outbox-kinds.ts';
import { REGISTRY_DEFAULT_LOCALE } from '../outreach.ts';
import { almatyDay, smsBudgetToday } from './budget.ts';
import { smsSegments } from './texts.ts';

export interface SmsPlanSettings {
  translator: Translator;
  /** PUBLIC_URL without a trailing slash: the SMS page's link starts with it. */
  publicUrl: string;
  dailyBudget: number;
}

type SmsKind = typeof REMINDER | typeof STOPLIST_NOTICE;

export interface SmsPlan {
  /** Parts of one SMS per kind and language (the larger of the singular and plural texts). */
  perMessage: { kind: SmsKind; locale: Locale; segments: number }[];
  /** SMS of the season still to go (planned or being sent), and their parts. */
  waiting: { messages: number; segments: number };
  /** Parts spent this season so far (the budget's days since the season opened). */
  spent: number;
  today: { spent: number; budget: number; left: number; deferredToLaterDays: number };
  /** Days of budget the waiting parts need, today's remainder counting as the first. */
  daysNeeded: number;
}

export async function smsPlan(db: Db, season: { id: number; opensAt: Date; deadline: Date }, now: Date, s: SmsPlanSettings): Promise<SmsPlan> {
  const link = `${s.publicUrl}${SMS_PAGE_PATH}${'x'.repeat(TOKEN_LENGTH)}`;
  const sizes = new Map<string, number>();
  const perMessage: SmsPlan['perMessage'] = [];
  for (const kind of [REMINDER, STOPLIST_NOTICE] as const) {
    for (const locale of ['kk', 'ru'] as const) {
      const segments = Math.max(...[1, 2].map((n) => smsSegments(s.translator, sample(kind, n, season.deadline), locale, link).segments));
      sizes.set(`${kind}:${locale}`, segments);
      perMessage.push({ kind, locale, segments });
    }
  }
  // The language an SMS goes in is the registry's (dispatcher.ts), Kazakh when it has none.
  const rows = await db.$queryRaw<{ kind: SmsKind; locale: Locale | null; messages: number }[]>`
    SELECT o.kind, p.locale::text AS locale, count(*)::int AS messages
    FROM outbox o LEFT JOIN parents p ON p.id = o."parentId"
    WHERE o.channel = 'SMS' AND o."seasonId" = ${season.id}::int AND o.status IN ('PENDING', 'SENDING')
    GROUP BY 1, 2`;
  const waiting = { messages: 0, segments: 0 };
  for (const r of rows) {
    waiting.messages += r.messages;
    waiting.segments += r.messages * (sizes.get(`${r.kind}:${r.locale ?? REGISTRY_DEFAULT_LOCALE}`) ?? 0);
  }
  const [season_] = await db.$queryRaw<{ spent: number }[]>`
    SELECT coalesce(sum(segments), 0)::int AS spent FROM sms_budget_days WHERE day >= ${almatyDay(season.opensAt)}::date`;
  const today = await smsBudgetToday(db, now);
  const left = Math.max(0, s.dailyBudget - today.spent);
  const daysNeeded = waiting.segments <= left ? (waiting.segments > 0 ? 1 : 0) : 1 + Math.ceil((waiting.segments - left) / s.dailyBudget);
  return {
    perMessage,
    waiting,
    spent: season_?.spent ?? 0,
    today: { spent: today.spent, budget: s.dailyBudget, left, deferredToLaterDays: today.waiting },
    daysNeeded,
  };
}

function sample(kind: SmsKind, n: number, deadline: Date): NotificationContent {
  return kind === REMINDER
    ? { kind: 'REMINDER', data: { count: n, deadline, daysLeft: 7 } }
    : { kind: 'STOPLIST_NOTICE', data: { queueNumbers: Array.from({ length: n }, (_, i) => 100_000 + i), stopListedAt: deadline } };
}
