import type { InstructionLanguage } from '../../generated/prisma/enums.ts';
import type { Random } from '../../domain/random.ts';
import { CITY, DISTRICTS, MICRODISTRICT_ADDRESS, STREET_ADDRESS, STREETS, type District } from './data/city.ts';
import { KAZAKH_NAMES, KINDERGARTEN_NAME, PRIVATE_NAMES, RUSSIAN_NAMES, type KindergartenKind } from './data/kindergarten-names.ts';
import { distanceKm, offsetKm, roundPoint, type Point } from './geo.ts';
import type { SeedKindergarten } from './registry.ts';

export interface KindergartenOptions {
  count: number;
  /** Numbers are drawn from 1..maxNumber; the gaps are closed or renumbered kindergartens. */
  maxNumber: number;
}

/** A random point of a district, kept within the city's radius. */
export function pointInDistrict(random: Random, district: District): Point {
  for (;;) {
    const angle = random.float(0, 2 * Math.PI);
    // sqrt: uniform over the disc rather than crowded at its centre
    const r = district.radiusKm * Math.sqrt(random.next());
    const north = district.northKm + r * Math.cos(angle);
    const east = district.eastKm + r * Math.sin(angle);
    const point = offsetKm(CITY, north, east);
    if (distanceKm(CITY, point) <= CITY.maxRadiusKm) return point;
  }
}

export function pickDistrict(random: Random): District {
  return random.weighted(DISTRICTS.map((d) => [d, d.weight] as const));
}

function languagesFor(random: Random, privateOwned: boolean): InstructionLanguage[] {
  return privateOwned
    ? random.weighted<InstructionLanguage[]>([
        [['RU'], 4],
        [['KK', 'RU'], 4],
        [['KK'], 2],
      ])
    : random.weighted<InstructionLanguage[]>([
        [['KK'], 4],
        [['KK', 'RU'], 4],
        [['RU'], 2],
      ]);
}

function properName(random: Random, privateOwned: boolean, languages: InstructionLanguage[]): string {
  if (privateOwned && random.chance(0.7)) return random.pick(PRIVATE_NAMES);
  const russianFirst = languages.length === 1 && languages[0] === 'RU';
  return random.chance(russianFirst ? 0.6 : 0.15) ? random.pick(RUSSIAN_NAMES) : random.pick(KAZAKH_NAMES);
}

/** About 100 kindergartens: ~70 % state, ~5 % correctional, capacities 60–320 (private smaller). */
export function generateKindergartens(random: Random, options: KindergartenOptions): SeedKindergarten[] {
  const numbers = random
    .shuffle(Array.from({ length: options.maxNumber }, (_, i) => i + 1))
    .slice(0, options.count)
    .sort((a, b) => a - b);
  // Exactly ~5 % correctional, spread over the list; always at least one so that category has a choice.
  const correctionalCount = Math.max(1, Math.round(options.count * 0.05));
  const correctional = new Set(random.shuffle(numbers).slice(0, correctionalCount));

  return numbers.map((number) => {
    const isCorrectional = correctional.has(number);
    const privateOwned = !isCorrectional && random.chance(0.32);
    const languages: InstructionLanguage[] = isCorrectional ? ['KK', 'RU'] : languagesFor(random, privateOwned);
    const kind: KindergartenKind = isCorrectional ? 'special' : !privateOwned && random.chance(0.3) ? 'nursery' : 'kindergarten';
    const name = properName(random, privateOwned, languages);
    const district = pickDistrict(random);
    const point = roundPoint(pointInDistrict(random, district));
    const house = random.int(1, district.microdistrict ? 60 : 180);
    const street = random.pick(STREETS);
    const capacity = isCorrectional ? random.int(12, 24) * 5 : privateOwned ? random.int(12, 30) * 5 : random.int(28, 64) * 5;
    return {
      number,
      nameKk: KINDERGARTEN_NAME.kk(kind, number, name),
      nameRu: KINDERGARTEN_NAME.ru(kind, number, name),
      addressKk: district.microdistrict ? MICRODISTRICT_ADDRESS.kk(district.kk, house) : STREET_ADDRESS.kk(street.kk, house),
      addressRu: district.microdistrict ? MICRODISTRICT_ADDRESS.ru(district.ru, house) : STREET_ADDRESS.ru(street.ru, house),
      ownership: privateOwned ? 'PRIVATE' : 'STATE',
      languages,
      capacity,
      district: district.ru,
      latitude: point.latitude,
      longitude: point.longitude,
      correctional: isCorrectional,
    };
  });
}
