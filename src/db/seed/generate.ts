import { createRandom, type Random } from '../../domain/random.ts';
import { generateApplications } from './applications.ts';
import { DEMO_PARENTS } from './demo-parents.ts';
import { generateFamilies } from './families.ts';
import { generateKindergartens } from './kindergartens.ts';
import type { DemoRegistry, SeedParent } from './registry.ts';
import { demoSeason } from './season.ts';

export interface DemoOptions {
  /** The moment the registry is generated for; dates are relative to it. Default: the current time. */
  now?: Date;
  /** PRNG seed: the same seed and `now` give the same registry. */
  seed?: number;
  /** Parents in total, demo parents included (default 5 000, about 6 000 children). */
  parents?: number;
  /** Kindergartens (default 100), numbered within 1..⌈count × 1.2⌉. */
  kindergartens?: number;
}

export const DEFAULT_SEED = 20_260_901;

/**
 * Consent as an application form records it: most parents agree to WhatsApp messages, fewer to SMS,
 * some forms leave it empty. The demo parents: the first two agreed to WhatsApp (the first also to
 * SMS), the third stated nothing.
 */
function giveConsent(random: Random, parents: SeedParent[]): void {
  parents.forEach((p, i) => {
    if (i < DEMO_PARENTS.length) {
      p.notifyWhatsapp = i < 2 ? true : null;
      p.notifySms = i === 0 ? true : i === 1 ? false : null;
      return;
    }
    p.notifyWhatsapp = random.weighted<boolean | null>([
      [true, 70],
      [false, 10],
      [null, 20],
    ]);
    p.notifySms = random.weighted<boolean | null>([
      [true, 45],
      [false, 25],
      [null, 30],
    ]);
  });
}
export const DEFAULT_PARENTS = 5_000;
export const DEFAULT_KINDERGARTENS = 100;

/** The whole demo registry as plain data; pure and deterministic for a given seed and `now`. */
export function generateDemoRegistry(options: DemoOptions = {}): DemoRegistry {
  const now = options.now ?? new Date();
  const parents = options.parents ?? DEFAULT_PARENTS;
  const kindergartenCount = options.kindergartens ?? DEFAULT_KINDERGARTENS;
  if (!Number.isInteger(parents) || parents < DEMO_PARENTS.length) throw new RangeError(`parents must be an integer ≥ ${DEMO_PARENTS.length}`);
  if (!Number.isInteger(kindergartenCount) || kindergartenCount < 3) throw new RangeError('kindergartens must be an integer ≥ 3');

  // Each part draws from its own stream, so changing one part leaves the others as they were.
  const random = createRandom(options.seed ?? DEFAULT_SEED);
  const season = demoSeason(now);
  const kindergartens = generateKindergartens(random.derive('kindergartens'), {
    count: kindergartenCount,
    maxNumber: Math.ceil(kindergartenCount * 1.2),
  });
  const families = generateFamilies(random.derive('families'), { now, parents });
  // A stream of its own, so the registry drawn before consent was recorded stays as it was.
  giveConsent(
    random.derive('consent'),
    families.map((f) => f.parent),
  );
  const { applications, questionnaires, extensions } = generateApplications(random.derive('applications'), families, kindergartens, {
    now,
    season,
    extendedShare: 0.1,
  });

  return {
    season,
    kindergartens,
    parents: families.map((f) => f.parent),
    children: families.flatMap((f) => f.children.map((c) => c.child)),
    applications,
    questionnaires,
    extensions,
  };
}
