import type { ApplicationCategory, ApplicationStatus, InstructionLanguage, OwnershipPreference } from '../../generated/prisma/enums.ts';
import type { Random } from '../../domain/random.ts';
import { DIGITAL_SERVICES, PAYMENT_BRACKETS, SECTIONS, type DigitalService, type Section } from '../../questionnaire/catalog.ts';
import type { Family } from './families.ts';
import { distanceKm } from './geo.ts';
import type { SeedApplication, SeedExtension, SeedKindergarten, SeedQuestionnaire, SeedSeason } from './registry.ts';
import { previousDeadline } from './season.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Almaty office hours 09:00–18:00 are 04:00–13:00 UTC. */
const OFFICE_START_UTC_HOURS = 4;

/** How strongly distance from home cuts a kindergarten's appeal: e-folding length, km. */
const DISTANCE_SCALE_KM = 1.2;

const SECTION_LIKELIHOOD: Record<Section, number> = {
  football: 0.3,
  sportDance: 0.15,
  ballroomDance: 0.08,
  chess: 0.25,
  basketball: 0.08,
  drawing: 0.35,
  extendedDay: 0.2,
  funChemistry: 0.1,
  karate: 0.15,
  computerGraphics: 0.07,
  youngEcologist: 0.08,
  astronomy: 0.06,
  other: 0.03,
};
const DIGITAL_LIKELIHOOD: Record<DigitalService, number> = {
  invoices: 0.5,
  cashless: 0.6,
  absenceRecalculation: 0.45,
  attendance: 0.35,
  healthPassport: 0.3,
  portfolio: 0.2,
  teacherProfile: 0.25,
  nutrition: 0.4,
  eContracts: 0.3,
  androidApp: 0.45,
  iosApp: 0.2,
  onlineReception: 0.3,
  other: 0.02,
};
/** Free-text "Other" answers, as parents type them. */
const SECTIONS_OTHER = ['Плавание', 'Жүзу', 'Английский язык', 'Ағылшын тілі', 'Домбыра', 'Логопед'] as const;
const DIGITAL_OTHER = ['Видеонаблюдение онлайн', 'Онлайн бейнебақылау', 'Чат с воспитателем'] as const;
/** Weights of the twelve payment brackets: most parents want to pay little. */
const PAYMENT_WEIGHTS = [10, 14, 16, 14, 12, 9, 7, 5, 5, 3, 2, 1] as const;

export interface ApplicationsResult {
  applications: SeedApplication[];
  questionnaires: SeedQuestionnaire[];
  extensions: SeedExtension[];
}

interface Options {
  now: Date;
  season: SeedSeason;
  /** Share of parents who already extended this season. */
  extendedShare: number;
}

/** Picks up to `count` distinct kindergartens, each draw proportional to the weights left. */
function pickDistinct(random: Random, candidates: readonly (readonly [SeedKindergarten, number])[], count: number): number[] {
  const pool = candidates.filter(([, w]) => w > 0).map(([k, w]) => [k, w] as [SeedKindergarten, number]);
  const chosen: number[] = [];
  while (chosen.length < count && pool.length > 0) {
    const k = random.weighted(pool);
    chosen.push(k.number);
    pool.splice(
      pool.findIndex(([c]) => c === k),
      1,
    );
  }
  return chosen;
}

function officeHour(random: Random, day: Date): Date {
  return new Date(Math.floor(day.getTime() / DAY_MS) * DAY_MS + OFFICE_START_UTC_HOURS * HOUR_MS + random.int(0, 9 * 60 - 1) * 60_000);
}

function randomBetween(random: Random, from: Date, to: Date): Date {
  return new Date(Math.floor(random.float(from.getTime(), to.getTime())));
}

function generateQuestionnaire(random: Random, family: Family, kindergartens: number[], season: SeedSeason, now: Date): SeedQuestionnaire {
  const ownership = random.weighted<OwnershipPreference>([
    ['ANY', 50],
    ['STATE', 35],
    ['PRIVATE', 15],
  ]);
  const ownershipReason =
    ownership === 'ANY' ? null : ownership === 'STATE' ? (random.chance(0.6) ? 'COST' : 'QUALITY') : random.chance(0.8) ? 'QUALITY' : 'COST';
  const kkFirst = family.parent.locale === 'kk' || (family.parent.locale === null && family.speaks === 'kk');
  const language: InstructionLanguage = random.chance(kkFirst ? 0.85 : 0.2) ? 'KK' : 'RU';
  const sections = SECTIONS.filter((s) => random.chance(SECTION_LIKELIHOOD[s]));
  const digital = DIGITAL_SERVICES.filter((d) => random.chance(DIGITAL_LIKELIHOOD[d]));
  return {
    parent: family.index,
    kindergartens,
    ownership,
    ownershipReason,
    language,
    maxPayment: random.weighted(PAYMENT_BRACKETS.map((b, i) => [b, PAYMENT_WEIGHTS[i]!] as const)),
    sections,
    sectionsOther: sections.includes('other') ? random.pick(SECTIONS_OTHER) : null,
    digital,
    digitalOther: digital.includes('other') ? random.pick(DIGITAL_OTHER) : null,
    channel: random.chance(0.6) ? 'TELEGRAM' : 'WHATSAPP',
    submittedAt: randomBetween(random, season.opensAt, now),
  };
}

/**
 * One application per child with 1–3 kindergartens chosen near home (so demand is uneven: central
 * and popular ones end up over capacity), statuses mostly ACTIVE, and for about one parent in ten
 * this season's questionnaire with the extensions it made.
 */
export function generateApplications(
  random: Random,
  families: readonly Family[],
  kindergartens: readonly SeedKindergarten[],
  options: Options,
): ApplicationsResult {
  const { now, season } = options;
  const lastPurge = previousDeadline(season);
  // Some kindergartens are simply better known; log-normal-ish spread of appeal.
  const appeal = new Map(kindergartens.map((k) => [k.number, Math.exp((random.next() + random.next() + random.next() - 1.5) * 1.6)]));
  const correctional = kindergartens.filter((k) => k.correctional);

  const drafts: (Omit<SeedApplication, 'queueNumber'> & { order: number })[] = [];
  const questionnaires: SeedQuestionnaire[] = [];
  const extendedParents = new Map<number, number>(); // parent index → questionnaire index

  for (const family of families) {
    const languageFit = (k: SeedKindergarten) => (k.languages.length === 2 ? 1 : (k.languages[0] === 'KK') === (family.speaks === 'kk') ? 1.3 : 0.35);
    const weights = kindergartens.map(
      (k) =>
        [
          k,
          k.correctional
            ? 0
            : appeal.get(k.number)! * Math.exp(-distanceKm(family.home, k) / DISTANCE_SCALE_KM) * languageFit(k) * (k.ownership === 'PRIVATE' ? 0.5 : 1),
        ] as const,
    );
    let siblingChoices: number[] | null = null;
    const familyDrafts: typeof drafts = [];

    for (const { child, index, demoState } of family.children) {
      const category: ApplicationCategory =
        demoState !== null
          ? 'GENERAL'
          : random.weighted<ApplicationCategory>([
              ['GENERAL', 85],
              ['PRIVILEGED', 12],
              ['CORRECTIONAL', 3],
            ]);
      const wanted = random.weighted([
        [1, 30],
        [2, 30],
        [3, 40],
      ] as const);
      let choices: number[];
      if (category === 'CORRECTIONAL') {
        choices = pickDistinct(
          random,
          correctional.map((k) => [k, Math.exp(-distanceKm(family.home, k) / (3 * DISTANCE_SCALE_KM))] as const),
          wanted,
        );
      } else if (siblingChoices !== null && random.chance(0.7)) {
        choices = siblingChoices; // siblings usually go to the same kindergarten
      } else {
        choices = pickDistinct(random, weights, wanted);
        siblingChoices = choices;
      }

      // Parents register soon after birth; some wait a year or more.
      const delayDays = random.weighted([
        [[0, 90], 60],
        [[90, 365], 30],
        [[365, 1095], 10],
      ] as const);
      const day = new Date(child.birthDate.getTime() + random.int(delayDays[0], delayDays[1]) * DAY_MS);
      let registeredAt = officeHour(random, day);
      if (registeredAt.getTime() >= now.getTime())
        registeredAt = randomBetween(random, new Date(Math.max(child.birthDate.getTime(), now.getTime() - 7 * DAY_MS)), now);

      const ageDays = (now.getTime() - child.birthDate.getTime()) / DAY_MS;
      let status: ApplicationStatus =
        demoState === 'stopListed'
          ? 'STOP_LISTED'
          : demoState !== null
            ? 'ACTIVE'
            : random.weighted<ApplicationStatus>([
                ['ACTIVE', 92],
                ['REFERRED', 5],
                ['STOP_LISTED', 2],
                ['ENROLLED', 1],
              ]);
      // Only applications that lived through the last purge can be on the stop-list, and only
      // children old enough get a place.
      if (status === 'STOP_LISTED' && registeredAt.getTime() >= lastPurge.getTime()) status = 'ACTIVE';
      if ((status === 'REFERRED' || status === 'ENROLLED') && ageDays < 540) status = 'ACTIVE';

      familyDrafts.push({
        parent: family.index,
        child: index,
        category,
        registeredAt,
        status,
        validUntil: status === 'STOP_LISTED' ? lastPurge : season.deadline,
        stopListedAt: status === 'STOP_LISTED' ? lastPurge : null,
        choices,
        order: drafts.length + familyDrafts.length,
      });
    }
    drafts.push(...familyDrafts);

    const hasActive = familyDrafts.some((d) => d.status === 'ACTIVE');
    const demoExtended = family.children.some((c) => c.demoState === 'extended');
    const demo = family.children.some((c) => c.demoState !== null);
    if (hasActive && (demoExtended || (!demo && random.chance(options.extendedShare)))) {
      const first = familyDrafts[0]!;
      extendedParents.set(family.index, questionnaires.length);
      questionnaires.push(generateQuestionnaire(random, family, first.choices.length > 0 ? first.choices : [kindergartens[0]!.number], season, now));
    }
  }

  // Queue numbers follow registration order, as the portal assigns them.
  const byRegistration = drafts.slice().sort((a, b) => a.registeredAt.getTime() - b.registeredAt.getTime() || a.order - b.order);
  const queueNumber = new Map(byRegistration.map((d, i) => [d.order, i + 1]));

  const applications: SeedApplication[] = [];
  const extensions: SeedExtension[] = [];
  for (const { order, ...draft } of drafts) {
    const questionnaire = extendedParents.get(draft.parent);
    const extend = questionnaire !== undefined && draft.status === 'ACTIVE';
    if (extend) {
      const q = questionnaires[questionnaire]!;
      extensions.push({
        application: applications.length,
        questionnaire,
        oldValidUntil: season.deadline,
        newValidUntil: season.validUntil,
        channel: q.channel,
        createdAt: q.submittedAt,
      });
    }
    applications.push({ ...draft, queueNumber: queueNumber.get(order)!, validUntil: extend ? season.validUntil : draft.validUntil });
  }
  return { applications, questionnaires, extensions };
}
