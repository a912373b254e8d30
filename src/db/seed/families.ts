import type { Locale } from '../../generated/prisma/enums.ts';
import { makeIin, type Sex } from '../../domain/iin.ts';
import type { Random } from '../../domain/random.ts';
import {
  KAZAKH_BOYS,
  KAZAKH_FEMALE,
  KAZAKH_GIRLS,
  KAZAKH_MALE,
  KAZAKH_SURNAMES,
  RUSSIAN_BOYS,
  RUSSIAN_FEMALE,
  RUSSIAN_GIRLS,
  RUSSIAN_MALE,
  RUSSIAN_SURNAMES,
  kazakhPatronymic,
} from './data/people-names.ts';
import { DEMO_PARENTS, DEMO_PHONE_PREFIX, type DemoChildState } from './demo-parents.ts';
import type { Point } from './geo.ts';
import { pickDistrict, pointInDistrict } from './kindergartens.ts';
import type { SeedChild, SeedParent } from './registry.ts';

/** A parent with what the later steps need to know about the family but the registry does not store. */
export interface Family {
  parent: SeedParent;
  /** Index of the parent in the registry. */
  index: number;
  home: Point;
  speaks: 'kk' | 'ru';
  children: { child: SeedChild; index: number; demoState: DemoChildState | null }[];
}

const DAY_MS = 86_400_000;
const MOBILE_CODES = ['700', '701', '702', '705', '707', '708', '747', '771', '775', '776', '777', '778'] as const;

const utcDay = (ms: number) => new Date(Math.floor(ms / DAY_MS) * DAY_MS);

function randomDay(random: Random, from: Date, to: Date): Date {
  return new Date(random.int(Math.ceil(from.getTime() / DAY_MS), Math.floor(to.getTime() / DAY_MS)) * DAY_MS);
}

function addYears(date: Date, years: number): Date {
  const d = new Date(date);
  d.setUTCFullYear(d.getUTCFullYear() + years);
  return d;
}

/** Hands out unique values, drawing again on a collision. */
class Unique {
  private readonly seen = new Set<string>();
  constructor(initial: Iterable<string> = []) {
    for (const v of initial) this.seen.add(v);
  }
  /** `draw` may return null to ask for another draw. */
  take(draw: () => string | null): string {
    for (let attempt = 0; attempt < 1_000; attempt++) {
      const v = draw();
      if (v !== null && !this.seen.has(v)) {
        this.seen.add(v);
        return v;
      }
    }
    throw new Error('Unique: value space exhausted');
  }
}

interface Naming {
  adult(sex: Sex, given: string): string;
  child(sex: Sex, fatherGiven: string): string;
  /** A given name for the family's father when the parent is the mother. */
  father(): string;
  given(sex: Sex): string;
}

function kazakhNaming(random: Random): Naming {
  const surname = random.pick(KAZAKH_SURNAMES);
  // A family keeps one patronymic style: Kazakh -ұлы/-қызы or Russian-style -ович/-овна.
  const style = random.chance(0.6) ? 'kk' : 'ru';
  const given = (sex: Sex) => (sex === 'M' ? random.pick(KAZAKH_MALE) : random.pick(KAZAKH_FEMALE));
  return {
    given,
    father: () => random.pick(KAZAKH_MALE),
    adult: (sex, name) => `${surname[sex === 'M' ? 'm' : 'f']} ${name} ${kazakhPatronymic(random.pick(KAZAKH_MALE), sex, style)}`,
    child: (sex, fatherGiven) =>
      `${surname[sex === 'M' ? 'm' : 'f']} ${sex === 'M' ? random.pick(KAZAKH_BOYS) : random.pick(KAZAKH_GIRLS)} ${kazakhPatronymic(fatherGiven, sex, style)}`,
  };
}

function russianNaming(random: Random): Naming {
  const surname = random.pick(RUSSIAN_SURNAMES);
  const patronymic = (father: string, sex: Sex) => {
    const entry = RUSSIAN_MALE.find((m) => m.name === father) ?? RUSSIAN_MALE[0]!;
    return sex === 'M' ? entry.m : entry.f;
  };
  const given = (sex: Sex) => (sex === 'M' ? random.pick(RUSSIAN_MALE).name : random.pick(RUSSIAN_FEMALE));
  return {
    given,
    father: () => random.pick(RUSSIAN_MALE).name,
    adult: (sex, name) => `${surname[sex === 'M' ? 'm' : 'f']} ${name} ${patronymic(random.pick(RUSSIAN_MALE).name, sex)}`,
    child: (sex, fatherGiven) =>
      `${surname[sex === 'M' ? 'm' : 'f']} ${sex === 'M' ? random.pick(RUSSIAN_BOYS) : random.pick(RUSSIAN_GIRLS)} ${patronymic(fatherGiven, sex)}`,
  };
}

export interface FamilyOptions {
  now: Date;
  /** Parents in total, the demo parents included. */
  parents: number;
}

/**
 * Parents (born 1975–2003, at least 18 at their children's birth) with 1–3 children born within
 * the last six years; the demo parents come first. IINs and phones are unique.
 */
export function generateFamilies(random: Random, options: FamilyOptions): Family[] {
  const { now } = options;
  const iins = new Unique(DEMO_PARENTS.map((p) => p.iin));
  const phones = new Unique(DEMO_PARENTS.map((p) => p.phone));
  const families: Family[] = [];
  let childIndex = 0;

  const nowYear = now.getUTCFullYear();
  const parentBornFrom = new Date(Date.UTC(Math.min(1975, nowYear - 45), 0, 1));
  const parentBornTo = new Date(Date.UTC(Math.min(2003, nowYear - 20), 11, 31));
  const youngestChild = utcDay(now.getTime() - 30 * DAY_MS);
  const oldestChild = utcDay(addYears(now, -6).getTime() + DAY_MS);

  for (const demo of DEMO_PARENTS.slice(0, options.parents)) {
    const index = families.length;
    const district = pickDistrict(random);
    families.push({
      parent: { iin: demo.iin, fullName: demo.fullName, phone: demo.phone, locale: demo.locale },
      index,
      home: pointInDistrict(random, district),
      speaks: demo.speaks,
      children: demo.children.map((c) => {
        const birthDate = new Date(Date.UTC(nowYear, now.getUTCMonth() - c.ageMonths, 15));
        const iin = iins.take(() => makeIin(birthDate, c.sex, c.serial));
        return { child: { parent: index, iin, fullName: c.fullName, birthDate }, index: childIndex++, demoState: c.state };
      }),
    });
  }

  while (families.length < options.parents) {
    const index = families.length;
    const speaks = random.chance(0.7) ? 'kk' : 'ru';
    const naming = speaks === 'kk' ? kazakhNaming(random) : russianNaming(random);
    const sex: Sex = random.chance(0.75) ? 'F' : 'M';
    const parentGiven = naming.given(sex);
    const fullName = naming.adult(sex, parentGiven);
    const fatherGiven = sex === 'M' ? parentGiven : naming.father();
    const birthDate = randomDay(random, parentBornFrom, parentBornTo);
    const iin = iins.take(() => makeIin(birthDate, sex, random.int(0, 9999)));
    const phone = phones.take(() => {
      const p = `+7${random.pick(MOBILE_CODES)}${String(random.int(0, 9_999_999)).padStart(7, '0')}`;
      return p.startsWith(DEMO_PHONE_PREFIX) ? null : p;
    });
    const locale: Locale | null =
      speaks === 'kk'
        ? random.weighted<Locale | null>([
            ['kk', 55],
            ['ru', 25],
            [null, 20],
          ])
        : random.weighted<Locale | null>([
            ['ru', 75],
            [null, 25],
          ]);

    const count = random.weighted([
      [1, 76],
      [2, 21],
      [3, 3],
    ] as const);
    const earliest = new Date(Math.max(oldestChild.getTime(), addYears(birthDate, 18).getTime()));
    const children: Family['children'] = [];
    // Siblings are born 12–30 months apart; a sibling that would be born in the future is dropped.
    let birth = randomDay(random, earliest, new Date(Math.max(earliest.getTime(), youngestChild.getTime() - (count - 1) * 365 * DAY_MS)));
    for (let k = 0; k < count && birth.getTime() <= youngestChild.getTime(); k++) {
      const childSex: Sex = random.chance(0.51) ? 'M' : 'F';
      const childIin = iins.take(() => makeIin(birth, childSex, random.int(0, 9999)));
      children.push({
        child: { parent: index, iin: childIin, fullName: naming.child(childSex, fatherGiven), birthDate: birth },
        index: childIndex++,
        demoState: null,
      });
      birth = new Date(birth.getTime() + random.int(365, 900) * DAY_MS);
    }

    families.push({ parent: { iin, fullName, phone, locale }, index, home: pointInDistrict(random, pickDistrict(random)), speaks, children });
  }
  return families;
}
