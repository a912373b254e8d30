import type {
  ApplicationCategory,
  ApplicationStatus,
  Channel,
  InstructionLanguage,
  Locale,
  Ownership,
  OwnershipPreference,
  OwnershipReason,
} from '../../generated/prisma/enums.ts';
import type { DigitalService, PaymentBracket, Section } from '../../questionnaire/catalog.ts';

/**
 * The demo registry as plain data, before it is written: rows refer to each other by their index
 * in these arrays (database ids are only known after insertion) and to kindergartens by number.
 */

export interface SeedSeason {
  code: string;
  opensAt: Date;
  deadline: Date;
  validUntil: Date;
}

export interface SeedKindergarten {
  number: number;
  nameKk: string;
  nameRu: string;
  addressKk: string;
  addressRu: string;
  ownership: Ownership;
  languages: InstructionLanguage[];
  capacity: number;
  district: string;
  latitude: number;
  longitude: number;
  correctional: boolean;
}

export interface SeedParent {
  iin: string;
  fullName: string;
  phone: string;
  locale: Locale | null;
  /** Consent to unprompted WhatsApp messages / SMS at the phone; null = not stated. */
  notifyWhatsapp?: boolean | null;
  notifySms?: boolean | null;
}

export interface SeedChild {
  parent: number;
  iin: string;
  fullName: string;
  birthDate: Date;
}

export interface SeedApplication {
  parent: number;
  child: number;
  queueNumber: number;
  category: ApplicationCategory;
  registeredAt: Date;
  status: ApplicationStatus;
  validUntil: Date;
  stopListedAt: Date | null;
  /** Kindergarten numbers, rank 1 first. */
  choices: number[];
}

export interface SeedQuestionnaire {
  parent: number;
  /** Kindergarten numbers, rank 1 first. */
  kindergartens: number[];
  ownership: OwnershipPreference;
  ownershipReason: OwnershipReason | null;
  language: InstructionLanguage;
  maxPayment: PaymentBracket;
  sections: Section[];
  sectionsOther: string | null;
  digital: DigitalService[];
  digitalOther: string | null;
  channel: Channel;
  submittedAt: Date;
}

/** The audit row of an extension made through a questionnaire this season. */
export interface SeedExtension {
  application: number;
  questionnaire: number;
  oldValidUntil: Date;
  newValidUntil: Date;
  channel: Channel;
  createdAt: Date;
}

export interface DemoRegistry {
  season: SeedSeason;
  kindergartens: SeedKindergarten[];
  parents: SeedParent[];
  children: SeedChild[];
  applications: SeedApplication[];
  questionnaires: SeedQuestionnaire[];
  extensions: SeedExtension[];
}

export interface SeedSummary {
  seasons: number;
  kindergartens: number;
  parents: number;
  children: number;
  applications: number;
  applicationChoices: number;
  questionnaires: number;
  questionnaireChoices: number;
  extensions: number;
  /** Wall-clock time of the write, ms. */
  elapsedMs: number;
}
