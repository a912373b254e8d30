/**
 * Small builders for database tests: each call makes a row with unique, valid defaults (real IINs
 * from makeIin, distinct phones, numbers and queue numbers) that a test overrides where it matters.
 */
import type {
  Application,
  ApplicationCategory,
  ApplicationStatus,
  Child,
  InstructionLanguage,
  Kindergarten,
  Locale,
  Ownership,
  Parent,
  Season,
} from '../../src/generated/prisma/client.ts';
import { makeIin } from '../../src/domain/iin.ts';
import type { Db } from '../../src/services/db.ts';
import type { Answers } from '../../src/questionnaire/answers.ts';

const DAY_MS = 86_400_000;
let counter = 0;
/** Unique within the test process: ids, numbers and birth dates never collide between builders. */
const next = () => ++counter;

/** A distinct birth date per person makes every IIN distinct whatever the serial. */
function personIin(base: string, k: number, sex: 'M' | 'F'): { iin: string; birthDate: Date } {
  const birthDate = new Date(Date.parse(base) + k * DAY_MS);
  return { iin: makeIin(birthDate, sex, (k * 2) % 10_000), birthDate };
}

export const uniquePhone = (): string => `+7701${String(next()).padStart(7, '0')}`;

export interface KindergartenInput {
  number?: number;
  nameKk?: string;
  nameRu?: string;
  ownership?: Ownership;
  languages?: InstructionLanguage[];
  capacity?: number;
  latitude?: number;
  longitude?: number;
  district?: string;
}

export async function createKindergarten(db: Db, input: KindergartenInput = {}): Promise<Kindergarten> {
  const k = next();
  const number = input.number ?? 10_000 + k;
  return db.kindergarten.create({
    data: {
      number,
      nameKk: input.nameKk ?? `№${number} балабақша`,
      nameRu: input.nameRu ?? `Детский сад №${number}`,
      addressKk: `Абай даңғылы, ${k}`,
      addressRu: `проспект Абая, ${k}`,
      ownership: input.ownership ?? 'STATE',
      languages: input.languages ?? ['KK', 'RU'],
      capacity: input.capacity ?? 120,
      district: input.district ?? 'Алмалы',
      latitude: input.latitude ?? 43.24,
      longitude: input.longitude ?? 76.91,
    },
  });
}

export interface ParentInput {
  phone?: string;
  iin?: string;
  fullName?: string;
  locale?: Locale | null;
}

export async function createParent(db: Db, input: ParentInput = {}): Promise<Parent> {
  const k = next();
  return db.parent.create({
    data: {
      iin: input.iin ?? personIin('1985-01-01', k, k % 2 ? 'F' : 'M').iin,
      fullName: input.fullName ?? `Ата-ана ${k}`,
      phone: input.phone ?? uniquePhone(),
      locale: input.locale ?? null,
    },
  });
}

export async function createChild(db: Db, parentId: number, input: { iin?: string; fullName?: string } = {}): Promise<Child> {
  const k = next();
  const person = personIin('2020-01-01', k, k % 2 ? 'M' : 'F');
  return db.child.create({
    data: {
      iin: input.iin ?? person.iin,
      fullName: input.fullName ?? `Бала ${k}`,
      birthDate: person.birthDate,
      parentId,
    },
  });
}

export interface ApplicationInput {
  parentId: number;
  /** A new child of the parent when omitted. */
  childId?: number;
  kindergartenIds?: number[];
  status?: ApplicationStatus;
  category?: ApplicationCategory;
  queueNumber?: number;
  registeredAt?: Date;
  validUntil?: Date;
  stopListedAt?: Date | null;
  restoreCount?: number;
}

export async function createApplication(db: Db, input: ApplicationInput): Promise<Application> {
  const childId = input.childId ?? (await createChild(db, input.parentId)).id;
  const application = await db.application.create({
    data: {
      queueNumber: input.queueNumber ?? 100_000 + next(),
      parentId: input.parentId,
      childId,
      category: input.category ?? 'GENERAL',
      registeredAt: input.registeredAt ?? new Date('2023-05-10T06:00:00Z'),
      status: input.status ?? 'ACTIVE',
      validUntil: input.validUntil ?? new Date('2025-10-01T00:00:00Z'),
      stopListedAt: input.stopListedAt ?? (input.status === 'STOP_LISTED' ? new Date('2025-10-01T00:00:00Z') : null),
      restoreCount: input.restoreCount ?? 0,
    },
  });
  if (input.kindergartenIds?.length) {
    await db.applicationChoice.createMany({
      data: input.kindergartenIds.map((kindergartenId, i) => ({ applicationId: application.id, kindergartenId, rank: i + 1 })),
    });
  }
  return application;
}

export interface SeasonInput {
  code?: string;
  opensAt: Date;
  deadline?: Date;
  validUntil: Date;
}

export async function createSeason(db: Db, input: SeasonInput): Promise<Season> {
  return db.season.create({
    data: {
      code: input.code ?? `S${next()}`,
      opensAt: input.opensAt,
      deadline: input.deadline ?? new Date(input.opensAt.getTime() + 60 * DAY_MS),
      validUntil: input.validUntil,
    },
  });
}

/** Complete answers choosing the given kindergartens. */
export function answersFor(kindergartens: Pick<Kindergarten, 'id' | 'number' | 'nameKk' | 'nameRu'>[]): Answers {
  return {
    kindergartens: kindergartens.map(({ id, number, nameKk, nameRu }) => ({ id, number, nameKk, nameRu })),
    ownership: 'STATE',
    ownershipReason: 'COST',
    language: 'KK',
    maxPayment: 25_000,
    sections: ['chess', 'other'],
    sectionsOther: 'Домбыра',
    digital: ['invoices'],
    digitalOther: null,
  };
}

const TABLES = [
  'link_tokens',
  'notification_opt_outs',
  'undeliverable_addresses',
  'extensions',
  'questionnaire_choices',
  'questionnaires',
  'registry_events',
  'application_choices',
  'applications',
  'purge_runs',
  'children',
  'chat_links',
  'parents',
  'kindergartens',
  'seasons',
  'conversation_states',
  'inbound_updates',
  'outbox',
  'early_delivery_statuses',
  'scheduler_leases',
  'identification_failures',
  'sms_budget_days',
  'operator_users',
  'operator_sessions',
  'audit_log',
  'support_messages',
  'support_threads',
  'canned_replies',
];

/** Empties every table, so a test that counts rows sees only its own. */
export async function truncateAll(db: Db): Promise<void> {
  await db.$executeRawUnsafe(`TRUNCATE ${TABLES.map((t) => `"${t}"`).join(', ')} RESTART IDENTITY CASCADE`);
}

/**
 * A season open since ten days with its deadline a month ahead, and twelve kindergartens
 * (numbers 101–112, every third private): the common ground of the channel and fuzz tests.
 */
export async function createOpenSeasonWithKindergartens(db: Db, code: string, now: number = Date.now()) {
  const season = await createSeason(db, {
    code,
    opensAt: new Date(now - 10 * DAY_MS),
    deadline: new Date(now + 30 * DAY_MS),
    validUntil: new Date(now + 400 * DAY_MS),
  });
  const kindergartens: Kindergarten[] = [];
  for (let i = 0; i < 12; i++) {
    kindergartens.push(
      await createKindergarten(db, {
        number: 101 + i,
        nameKk: `Балапан ${101 + i}`,
        nameRu: `Балапан ${101 + i} (рус)`,
        ownership: i % 3 === 0 ? 'PRIVATE' : 'STATE',
        latitude: 43.2 + i * 0.01,
        longitude: 76.9,
      }),
    );
  }
  return { season, kindergartens };
}

/** A console account (no usable password: for tests that act as an operator through the services). */
export async function createOperator(db: Db, role: 'ADMIN' | 'OPERATOR' | 'VIEWER' = 'OPERATOR') {
  return db.operatorUser.create({ data: { username: `operator${next()}`, passwordHash: 'x', role } });
}
