/**
 * What the pure state machine asks the outside world to do, and the answers it gets back as
 * inputs. The runtime executes effects with the services; the parent is always the one linked to
 * the chat by the runtime — an effect never names a parent.
 */
import type { Answers } from '../../questionnaire/answers.ts';
import type { AttachmentRef } from './io.ts';
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
  | { type: 'optIn' }
  /** A message to the education department: opens the chat's support thread or adds to it. */
  | { type: 'supportMessage'; text: string }
  | { type: 'supportAttachment'; file: AttachmentRef };

/** What became of a message to the education department. */
export type SupportOutcome =
  | 'recorded'
  /** Faster than the desk takes (services/support.ts); `notify` only for the first refusal of a minute. */
  | 'slowDown'
  | 'slowDownQuiet'
  | 'fileTooBig'
  | 'fileType'
  /** The platform did not give the file. */
  | 'fileFailed';

/** The desk's hours as the parent is told them (weekdays, Asia/Almaty). */
export interface SupportHours {
  from: string;
  to: string;
  answerWithinHours: number;
  /** The desk works at this moment. */
  openNow: boolean;
}

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
  | { type: 'optedIn'; parents: number }
  /** `opened`: this message started the thread (the bot confirms with the hours). */
  | { type: 'supportRecorded'; outcome: SupportOutcome; opened: boolean; hours: SupportHours };
