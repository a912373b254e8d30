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
  | { type: 'loadSeason' }
  /** A deep link's token: the registry phone it proves for this chat (src/links). */
  | { type: 'redeemLink'; token: string }
  /**
   * No more campaign messages on this chat's channel for the parents the chat stands for: its
   * linked parent and, where the platform proves the sender's number, the parents with that
   * registry phone (src/services/opt-outs.ts).
   */
  | { type: 'optOut'; source: 'bot' | 'template' }
  | { type: 'optIn' };

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
  | { type: 'notLinked' }
  /** `phone` null: refused (forged, unknown, used, expired, or the parent's phone changed — never said which). */
  | { type: 'linkRedeemed'; phone: string | null; locale: Locale | null }
  /** `parents`: how many the chat stands for (0: nobody, nothing to stop); `locale`: the registry's language of the first. */
  | { type: 'optedOut'; parents: number; locale: Locale | null }
  | { type: 'optedIn'; parents: number };
