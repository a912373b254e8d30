/**
 * The demo city as the conversation sees it, in memory: the kindergartens, demand and a demo
 * parent's applications of the seeded registry (src/db/seed), answering the state machine's
 * effects without a database. Deterministic — the same seed and date give the same screens — so
 * the screen catalog can be committed and compared.
 */
import type { Effect, EffectResult, SupportHours, SupportOutcome } from '../../src/conversation/core/effects.ts';
import type { ApplicationView, KindergartenView, SeasonView } from '../../src/conversation/core/views.ts';
import { generateDemoRegistry } from '../../src/db/seed/generate.ts';
import { distanceKm } from '../../src/db/seed/geo.ts';
import type { DemoRegistry } from '../../src/db/seed/registry.ts';
import { kindergartenView, parseKindergartenQuery } from '../../src/services/kindergartens.ts';
import type { Answers } from '../../src/questionnaire/answers.ts';

/** The day the catalog's registry is generated for (its season opened a week before). */
export const CATALOG_NOW = new Date('2026-11-20T06:00:00.000Z');

export const DEMO_PHONE = '+77010000002';
export const DEMO_IIN = '881102401023';
/** Valid IINs that fail each local check, and a valid one of nobody in this family. */
export const BAD_IINS = {
  format: '88110240102',
  birthDate: '881332401023',
  century: '881102001020',
  checkDigit: '881102401024',
  // Check digit 10 under both weightings: no IIN is ever issued with these first 11 digits.
  unassignable: '881102400630',
  stranger: '900514401017',
} as const;

export interface WorldOptions {
  seasonOpen?: boolean;
  needExtension?: number;
  stored?: Answers | null;
  /** Where the stored questionnaire was filled. */
  storedVia?: 'TELEGRAM' | 'WHATSAPP';
  stopListed?: boolean;
  restoreOutcome?: Extract<EffectResult, { type: 'restoreResult' }>['outcome'];
  applications?: 'all' | 'none';
  /** The chat was unlinked meanwhile (an operator, or the parent's phone changed). */
  linked?: boolean;
  /** How many registry parents the chat stands for when it asks to stop (0: an unknown number). */
  chatParents?: number;
  /** The registry language of those parents (for a chat that never chose one). */
  registryLocale?: 'kk' | 'ru' | null;
  /** What becomes of a message to the education department, and whether it opened the thread. */
  supportOutcome?: SupportOutcome;
  /** The department works at the moment of the message (a weekday afternoon), or not (a night). */
  supportHoursOpen?: boolean;
}

/** The department's hours in the catalog: a weekday afternoon. */
export const SCREEN_SUPPORT_HOURS: SupportHours = { from: '09:00', to: '18:00', answerWithinHours: 4, openNow: true };

/** A deep link's token that the demo world redeems once, for the demo parent's phone. */
export const DEMO_LINK = 'LdemoLinkTok0123456789ab';

let registry: DemoRegistry | null = null;
/** Generated once per process: about a second's work. */
export function demoRegistry(): DemoRegistry {
  registry ??= generateDemoRegistry({ now: CATALOG_NOW });
  return registry;
}

export class DemoWorld {
  readonly season: SeasonView;
  readonly kindergartens: KindergartenView[];
  failures = 0;
  readonly maxAttempts = 5;
  lockedUntil: string | null = null;
  submitted: Answers[] = [];
  private linkUsed = false;

  constructor(public o: WorldOptions = {}) {
    const r = demoRegistry();
    this.season = { code: r.season.code, opensAt: iso(r.season.opensAt), deadline: iso(r.season.deadline), validUntil: iso(r.season.validUntil) };
    const demand = new Map<number, number>();
    for (const a of r.applications) if (a.status === 'ACTIVE') for (const n of a.choices) demand.set(n, (demand.get(n) ?? 0) + 1);
    this.kindergartens = r.kindergartens.map((k, i) => kindergartenView({ ...k, id: i + 1 }, demand.get(k.number) ?? 0, null));
  }

  private get seasonView(): SeasonView | null {
    return this.o.seasonOpen === false ? null : this.season;
  }

  /** Messages the department got from this chat: the first opens the conversation. */
  private supportMessages = 0;

  resolve = (effect: Effect): EffectResult | null => {
    const anyChat = ['identifyPhone', 'verifyIin', 'setLocale', 'searchKindergartens', 'loadSeason', 'redeemLink', 'optOut', 'optIn'];
    if (this.o.linked === false && !anyChat.includes(effect.type)) {
      return { type: 'notLinked' };
    }
    switch (effect.type) {
      case 'identifyPhone':
        return { type: 'phoneIdentified', found: effect.phone === DEMO_PHONE, lockedUntil: this.lockedUntil };
      case 'verifyIin':
        if (this.lockedUntil) return { type: 'iinVerified', outcome: 'locked', attemptsLeft: 0, lockedUntil: this.lockedUntil };
        if (effect.iin === DEMO_IIN) return { type: 'iinVerified', outcome: 'ok', attemptsLeft: this.maxAttempts, lockedUntil: null };
        this.failures++;
        if (this.failures < this.maxAttempts) {
          return { type: 'iinVerified', outcome: 'mismatch', attemptsLeft: this.maxAttempts - this.failures, lockedUntil: null };
        }
        this.lockedUntil = iso(new Date(CATALOG_NOW.getTime() + 3_600_000));
        return { type: 'iinVerified', outcome: 'locked', attemptsLeft: 0, lockedUntil: this.lockedUntil };
      case 'setLocale':
        return null;
      case 'loadApplications':
        return { type: 'applicationsLoaded', items: this.o.applications === 'none' ? [] : this.applications(), season: this.seasonView };
      case 'loadQuestionnaireContext':
        return {
          type: 'questionnaireContextLoaded',
          season: this.seasonView,
          stored: this.o.stored
            ? {
                answers: this.o.stored,
                submittedAt: iso(new Date(CATALOG_NOW.getTime() - 2 * 86_400_000)),
                updatedAt: iso(CATALOG_NOW),
                channel: this.o.storedVia ?? 'TELEGRAM',
                seasonCode: this.season.code,
              }
            : null,
          needExtension: this.o.needExtension ?? 1,
        };
      case 'searchKindergartens':
        return this.search(effect);
      case 'submitQuestionnaire': {
        this.submitted.push(effect.answers);
        const extended = this.o.needExtension ?? 1;
        this.o = { ...this.o, stored: effect.answers, needExtension: 0 };
        return { type: 'questionnaireSubmitted', extended, validUntil: extended > 0 ? this.season.validUntil : null };
      }
      case 'loadStopListed':
        return {
          type: 'stopListedLoaded',
          items: this.o.stopListed === false ? [] : this.applications().filter((a) => a.status === 'STOP_LISTED'),
          questionnaireFilled: Boolean(this.o.stored),
          season: this.seasonView,
        };
      case 'restoreApplication': {
        const outcome = this.o.restoreOutcome ?? (this.o.stored ? 'restored' : 'needsQuestionnaire');
        return { type: 'restoreResult', outcome, validUntil: outcome === 'restored' ? this.season.validUntil : null };
      }
      case 'loadSeason':
        return { type: 'seasonLoaded', season: this.seasonView };
      case 'redeemLink': {
        const ok = effect.token === DEMO_LINK && !this.linkUsed;
        if (ok) this.linkUsed = true;
        return { type: 'linkRedeemed', phone: ok ? DEMO_PHONE : null, locale: ok ? (this.o.registryLocale ?? null) : null };
      }
      case 'optOut': {
        const parents = this.o.chatParents ?? 1;
        return { type: 'optedOut', parents, locale: parents > 0 ? (this.o.registryLocale ?? null) : null };
      }
      case 'optIn':
        return { type: 'optedIn', parents: this.o.chatParents ?? 1 };
      case 'supportMessage':
      case 'supportAttachment':
        return {
          type: 'supportRecorded',
          outcome: this.o.supportOutcome ?? 'recorded',
          opened: this.supportMessages++ === 0,
          hours: { ...SCREEN_SUPPORT_HOURS, openNow: this.o.supportHoursOpen ?? true },
        };
    }
  };

  private search(effect: Extract<Effect, { type: 'searchKindergartens' }>): EffectResult {
    const filter = parseKindergartenQuery(effect.query);
    let all = this.kindergartens.filter((k) => {
      if (filter.kind === 'all') return true;
      if (filter.kind === 'number') return String(k.number).startsWith(filter.digits);
      const needle = filter.pattern.slice(1, -1);
      return k.nameKk.toLowerCase().includes(needle) || k.nameRu.toLowerCase().includes(needle);
    });
    if (filter.kind === 'number')
      all.sort((a, b) => Number(String(b.number) === filter.digits) - Number(String(a.number) === filter.digits) || a.number - b.number);
    if (effect.near) {
      const r = demoRegistry();
      const from = { latitude: effect.near.lat, longitude: effect.near.lon };
      all = all
        .map((k, i) => {
          const seed = r.kindergartens.find((s) => s.number === k.number) ?? r.kindergartens[i]!;
          return { ...k, distanceKm: Math.round(distanceKm(from, seed) * 10) / 10 };
        })
        .sort((a, b) => a.distanceKm - b.distanceKm || a.number - b.number);
    }
    const pages = Math.max(1, Math.ceil(all.length / effect.pageSize));
    const page = Math.min(effect.page, pages - 1);
    return { type: 'kindergartensFound', items: all.slice(page * effect.pageSize, (page + 1) * effect.pageSize), total: all.length, page };
  }

  /** The demo parent's applications, with one of every other status for review. */
  applications(): ApplicationView[] {
    const kg = (i: number) => {
      const k = this.kindergartens[i]!;
      return { number: k.number, nameKk: k.nameKk, nameRu: k.nameRu };
    };
    const referral = (i: number) => ({ ...kg(i), addressKk: `Абай даңғылы, ${i + 10}`, addressRu: `проспект Абая, ${i + 10}` });
    const base = {
      registeredAt: '2024-03-11T05:00:00.000Z',
      validUntil: iso(new Date(CATALOG_NOW.getTime() + 29 * 86_400_000)),
      stopListedAt: null,
      needsExtension: false,
    };
    return [
      {
        ...base,
        id: 11,
        queueNumber: 4512,
        childName: 'Иванова София Андреевна',
        category: 'GENERAL',
        status: 'ACTIVE',
        needsExtension: true,
        kindergartens: [kg(4), kg(11)],
      },
      {
        ...base,
        id: 12,
        queueNumber: 1377,
        childName: 'Иванов Артём Андреевич',
        category: 'PRIVILEGED',
        status: 'STOP_LISTED',
        stopListedAt: '2025-12-25T19:00:00.000Z',
        validUntil: '2025-12-25T18:59:59.000Z',
        kindergartens: [kg(2)],
      },
      {
        ...base,
        id: 13,
        queueNumber: 980,
        childName: 'Иванова Мария Андреевна',
        category: 'CORRECTIONAL',
        status: 'ACTIVE',
        validUntil: this.season.validUntil,
        kindergartens: [],
      },
      {
        ...base,
        id: 14,
        queueNumber: 2210,
        childName: 'Иванов Лев Андреевич',
        category: 'GENERAL',
        status: 'REFERRED',
        kindergartens: [kg(7)],
        referral: { kindergarten: referral(7), acceptBy: '2026-01-20T18:59:59.000Z' },
      },
      {
        ...base,
        id: 17,
        queueNumber: 2290,
        childName: 'Иванова Ева Андреевна',
        category: 'GENERAL',
        status: 'REFERRED',
        kindergartens: [kg(7), kg(4)],
        referral: { kindergarten: referral(4), acceptBy: null },
      },
      { ...base, id: 18, queueNumber: 2295, childName: 'Иванов Ян Андреевич', category: 'GENERAL', status: 'REFERRED', kindergartens: [kg(4)], referral: null },
      { ...base, id: 15, queueNumber: 615, childName: 'Иванова Анна Андреевна', category: 'GENERAL', status: 'ENROLLED', kindergartens: [kg(7)] },
      { ...base, id: 16, queueNumber: 3301, childName: 'Иванов Марк Андреевич', category: 'GENERAL', status: 'WITHDRAWN', kindergartens: [] },
    ];
  }
}

const iso = (d: Date): string => d.toISOString();
