/**
 * What the pure state machine asks the outside world to do, and the answers it gets back as
 * inputs. The runtime executes effects with the services; the parent is always the one linked to
 * the chat by the runtime — an effect never names a parent.
 */
import type { Answers } from '../questionnaire/answers.ts';
import type { ApplicationView, GeoPoint, KindergartenView, Locale, SeasonView, StoredQuestionnaire } from './views.ts';

export type Effect =
  /** Is this (already proven) phone in the registry, and is identification locked for the chat? */
  | { type: 'identifyPhone'; phone: string }
  /** Second factor: the applicant's or a child's IIN among the parents with that phone. Links the chat on success. */
  | { type: 'verifyIin'; phone: string; iin: string }
  | { type: 'setLocale'; locale: Locale }
  | { type: 'loadApplications' }
  /** The season, the stored questionnaire of this season and how many applications need extension. */
  | { type: 'loadQuestionnaireContext' }
  | { type: 'searchKindergartens'; query: string | null; near: GeoPoint | null; page: number; pageSize: number }
  | { type: 'submitQuestionnaire'; answers: Answers }
  | { type: 'loadStopListed' }
  | { type: 'restoreApplication'; applicationId: number }
  | { type: 'loadSeason' };

export type EffectResult =
  | { type: 'phoneIdentified'; found: boolean; lockedUntil: string | null }
  | { type: 'iinVerified'; outcome: 'ok' | 'mismatch' | 'locked'; attemptsLeft: number; lockedUntil: string | null }
  | { type: 'applicationsLoaded'; items: ApplicationView[]; season: SeasonView | null }
  | {
      type: 'questionnaireContextLoaded';
      season: SeasonView | null;
      stored: StoredQuestionnaire | null;
      needExtension: number;
    }
  | { type: 'kindergartensFound'; items: KindergartenView[]; total: number; page: number }
  | { type: 'questionnaireSubmitted'; extended: number; validUntil: string | null }
  | { type: 'stopListedLoaded'; items: ApplicationView[]; questionnaireFilled: boolean; season: SeasonView | null }
  | {
      type: 'restoreResult';
      outcome: 'restored' | 'notFound' | 'notAllowed' | 'needsQuestionnaire' | 'noSeason';
      validUntil: string | null;
    }
  | { type: 'seasonLoaded'; season: SeasonView | null }
  /** The chat is not (or no longer) linked to a parent: identification starts again. */
  | { type: 'notLinked' };
