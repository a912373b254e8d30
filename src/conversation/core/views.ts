/**
 * Data the conversation shows, as loaded by the services. Plain JSON (dates as ISO strings) so it
 * can travel through the pure state machine and be persisted with it.
 */
import type { Answers } from '../../questionnaire/answers.ts';

export type Locale = 'kk' | 'ru';
export const LOCALES = ['kk', 'ru'] as const;

export type ChannelName = 'TELEGRAM' | 'WHATSAPP' | 'CONSOLE';

export interface GeoPoint {
  lat: number;
  lon: number;
}

export interface KindergartenView {
  id: number;
  number: number;
  nameKk: string;
  nameRu: string;
  ownership: 'STATE' | 'PRIVATE';
  languages: ('KK' | 'RU')[];
  capacity: number;
  /** Active applications that chose this kindergarten. */
  demand: number;
  /** Set when the search was ordered by distance from a shared location. */
  distanceKm: number | null;
}

export type ApplicationStatusView = 'ACTIVE' | 'STOP_LISTED' | 'REFERRED' | 'ENROLLED' | 'WITHDRAWN';

export interface ApplicationView {
  id: number;
  queueNumber: number;
  childName: string;
  category: 'GENERAL' | 'PRIVILEGED' | 'CORRECTIONAL';
  registeredAt: string;
  status: ApplicationStatusView;
  validUntil: string;
  stopListedAt: string | null;
  /** Active and not yet extended to the current season's validity date. */
  needsExtension: boolean;
  kindergartens: { number: number; nameKk: string; nameRu: string }[];
  /** Status REFERRED: where to, and by when the parent must accept it, as the registry says. */
  referral?: { kindergarten: { number: number; nameKk: string; nameRu: string; addressKk: string; addressRu: string } | null; acceptBy: string | null } | null;
}

export interface SeasonView {
  code: string;
  opensAt: string;
  deadline: string;
  validUntil: string;
}

export interface StoredQuestionnaire {
  answers: Answers;
  submittedAt: string;
  updatedAt: string;
  channel: ChannelName;
  seasonCode: string;
}
