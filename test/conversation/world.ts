/**
 * A small registry in memory that answers the state machine's effects, for the pure unit tests
 * of the conversation. The real services are tested against the databases in test/services.
 */
import type { Effect, EffectResult, SupportHours, SupportOutcome } from '../../src/conversation/core/effects.ts';
import type { ConversationState } from '../../src/conversation/core/state.ts';
import type { KindergartenView, SeasonView } from '../../src/conversation/core/views.ts';
import type { Answers } from '../../src/questionnaire/answers.ts';
import { makeIin } from '../../src/domain/iin.ts';

export const PHONE = '+77010000001';
export const PARENT_IIN = makeIin(new Date(Date.UTC(1990, 4, 17)), 'F', 1001);
export const CHILD_IIN = makeIin(new Date(Date.UTC(2022, 1, 3)), 'M', 2002);
export const OTHER_IIN = makeIin(new Date(Date.UTC(1985, 0, 9)), 'M', 3003);

export const SEASON: SeasonView = {
  code: '2026',
  opensAt: '2026-11-18T00:00:00.000Z',
  deadline: '2026-12-25T18:59:59.000Z',
  validUntil: '2027-12-25T18:59:59.000Z',
};

export class World {
  kindergartens: KindergartenView[] = Array.from({ length: 20 }, (_, i) => ({
    id: 100 + i,
    number: i + 1,
    nameKk: `Балапан-${i + 1}`,
    nameRu: `Балапан-${i + 1}`,
    ownership: i % 3 === 0 ? 'PRIVATE' : 'STATE',
    languages: i % 2 === 0 ? ['KK'] : ['KK', 'RU'],
    capacity: 120,
    demand: 7 * i,
    distanceKm: null,
  }));
  season: SeasonView | null = SEASON;
  needExtension = 2;
  failures = 0;
  maxAttempts = 5;
  submitted: Answers[] = [];
  stored: Answers | null = null;
  stopListed = [{ id: 77, queueNumber: 5005 }];
  restored: number[] = [];
  locales: string[] = [];
  /** Deep-link tokens that redeem once, with the registry phone and language they prove. */
  links = new Map<string, { phone: string; locale: 'kk' | 'ru' | null }>();
  redeemed: string[] = [];
  /** How many parents a chat stands for when it opts out or in (0: an unlinked, unknown chat). */
  chatParents = 1;
  optOuts: string[] = [];
  optIns = 0;
  /** What reached the education department, in order. */
  supportMessages: string[] = [];
  supportOutcome: SupportOutcome = 'recorded';
  supportHours: SupportHours = { from: '09:00', to: '18:00', answerWithinHours: 4, openNow: true };

  resolve = (effect: Effect, _state: ConversationState): EffectResult | null => {
    switch (effect.type) {
      case 'identifyPhone':
        return { type: 'phoneIdentified', found: effect.phone === PHONE, lockedUntil: null };
      case 'verifyIin': {
        if (this.failures >= this.maxAttempts) return { type: 'iinVerified', outcome: 'locked', attemptsLeft: 0, lockedUntil: '2026-11-25T13:00:00.000Z' };
        if (effect.iin === PARENT_IIN || effect.iin === CHILD_IIN)
          return { type: 'iinVerified', outcome: 'ok', attemptsLeft: this.maxAttempts, lockedUntil: null };
        this.failures++;
        return this.failures >= this.maxAttempts
          ? { type: 'iinVerified', outcome: 'locked', attemptsLeft: 0, lockedUntil: '2026-11-25T13:00:00.000Z' }
          : { type: 'iinVerified', outcome: 'mismatch', attemptsLeft: this.maxAttempts - this.failures, lockedUntil: null };
      }
      case 'setLocale':
        this.locales.push(effect.locale);
        return null;
      case 'loadApplications':
        return { type: 'applicationsLoaded', items: [], season: this.season };
      case 'loadQuestionnaireContext':
        return {
          type: 'questionnaireContextLoaded',
          season: this.season,
          stored: this.stored
            ? { answers: this.stored, submittedAt: '2026-11-20T10:00:00.000Z', updatedAt: '2026-11-20T10:00:00.000Z', channel: 'TELEGRAM', seasonCode: '2026' }
            : null,
          needExtension: this.needExtension,
        };
      case 'searchKindergartens': {
        const q = effect.query?.toLowerCase() ?? null;
        const all = this.kindergartens.filter((k) => !q || String(k.number) === q || k.nameRu.toLowerCase().includes(q));
        const pages = Math.max(1, Math.ceil(all.length / effect.pageSize));
        const page = Math.min(effect.page, pages - 1);
        return { type: 'kindergartensFound', items: all.slice(page * effect.pageSize, (page + 1) * effect.pageSize), total: all.length, page };
      }
      case 'submitQuestionnaire': {
        this.submitted.push(effect.answers);
        this.stored = effect.answers;
        const extended = this.needExtension;
        this.needExtension = 0;
        return { type: 'questionnaireSubmitted', extended, validUntil: this.season!.validUntil };
      }
      case 'loadStopListed':
        return {
          type: 'stopListedLoaded',
          items: this.stopListed.map((a) => ({
            id: a.id,
            queueNumber: a.queueNumber,
            childName: 'Айгерім',
            category: 'GENERAL',
            registeredAt: '2024-01-10T00:00:00.000Z',
            status: 'STOP_LISTED',
            validUntil: '2025-12-25T18:59:59.000Z',
            stopListedAt: '2025-12-25T19:00:00.000Z',
            needsExtension: false,
            kindergartens: [],
          })),
          questionnaireFilled: this.stored !== null,
          season: this.season,
        };
      case 'restoreApplication':
        if (!this.stored) return { type: 'restoreResult', outcome: 'needsQuestionnaire', validUntil: null };
        if (!this.stopListed.some((a) => a.id === effect.applicationId)) return { type: 'restoreResult', outcome: 'notFound', validUntil: null };
        this.restored.push(effect.applicationId);
        return { type: 'restoreResult', outcome: 'restored', validUntil: this.season!.validUntil };
      case 'loadSeason':
        return { type: 'seasonLoaded', season: this.season };
      case 'redeemLink': {
        const link = this.links.get(effect.token);
        this.links.delete(effect.token);
        if (link) this.redeemed.push(effect.token);
        return { type: 'linkRedeemed', phone: link?.phone ?? null, locale: link?.locale ?? null };
      }
      case 'optOut':
        if (this.chatParents > 0) this.optOuts.push(effect.source);
        return { type: 'optedOut', parents: this.chatParents, locale: this.chatParents > 0 ? 'ru' : null };
      case 'optIn':
        this.optIns++;
        return { type: 'optedIn', parents: this.chatParents };
      case 'supportMessage':
      case 'supportAttachment': {
        this.supportMessages.push(effect.type === 'supportMessage' ? effect.text : `[file ${effect.file.ref}] ${effect.file.caption ?? ''}`.trim());
        return { type: 'supportRecorded', outcome: this.supportOutcome, opened: this.supportMessages.length === 1, hours: this.supportHours };
      }
    }
  };
}
