/**
 * The questionnaire statistics of one season, each figure a grouped SQL query (arrays through
 * unnest); only aggregates and the kindergarten registry come back to Node.
 */
import { isTransactionClient, type Db } from '../services/db.ts';
import { demandByKindergarten, NO_DEMAND, type Demand } from '../services/demand.ts';

export interface StatsSeason {
  id: number;
  code: string;
}

export interface KindergartenDemandRow extends Demand {
  id: number;
  number: number;
  nameKk: string;
  nameRu: string;
  district: string;
  ownership: 'STATE' | 'PRIVATE';
  capacity: number;
  /** Active applications choosing it: the figure parents see in the picker. */
  applications: number;
}

export interface DistrictDemandRow extends Demand {
  district: string;
  kindergartens: number;
  capacity: number;
  applications: number;
}

export interface Count<K> {
  value: K;
  count: number;
}

export interface OtherText {
  question: 'sections' | 'digital';
  /** Lower-cased, trimmed, single-spaced. */
  text: string;
  count: number;
}

export interface QuestionnaireStats {
  season: StatsSeason;
  questionnaires: number;
  kindergartens: KindergartenDemandRow[];
  districts: DistrictDemandRow[];
  ownership: { preference: 'ANY' | 'STATE' | 'PRIVATE'; reason: 'QUALITY' | 'COST' | null; count: number }[];
  language: Count<'KK' | 'RU'>[];
  payment: Count<number>[];
  /** The median of the maximum payments (a bracket), null without questionnaires. */
  paymentMedian: number | null;
  sections: Count<string>[];
  digital: Count<string>[];
  otherTexts: OtherText[];
}

/*
 * Case folding of Cyrillic by translate(): lower() of a database initialised with the C locale
 * folds ASCII only (see services/kindergartens.ts).
 */
const UPPER = 'АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯӘҒҚҢӨҰҮҺІ';
const LOWER = UPPER.toLowerCase();

export const STATS_STEPS = 8;

export async function computeStats(db: Db, season: StatsSeason, onStep?: (done: number) => void): Promise<QuestionnaireStats> {
  let done = 0;
  const step = <T>(value: T): T => {
    onStep?.(++done);
    return value;
  };
  const s = season.id;

  // Independent queries: on PostgreSQL they run side by side on the pool's connections (the
  // figures over a million questionnaires then take about half as long); a transaction client or
  // the embedded database runs them one after the other anyway.
  const queries = {
    total: () => db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM questionnaires WHERE "seasonId" = ${s}::int`,
    chosen: () => demandByKindergarten(db, { kind: 'questionnaires', seasonId: s }),
    active: () => demandByKindergarten(db, { kind: 'applications' }),
    ownership: () => db.$queryRaw<QuestionnaireStats['ownership']>`
      SELECT ownership::text AS preference, "ownershipReason"::text AS reason, count(*)::int AS count
      FROM questionnaires WHERE "seasonId" = ${s}::int
      GROUP BY 1, 2 ORDER BY 1, 2 NULLS FIRST`,
    language: () => db.$queryRaw<Count<'KK' | 'RU'>[]>`
      SELECT language::text AS value, count(*)::int AS count
      FROM questionnaires WHERE "seasonId" = ${s}::int GROUP BY 1 ORDER BY 1`,
    payment: () => db.$queryRaw<(Count<number> & { median: number | null })[]>`
      SELECT "maxPayment" AS value, count(*)::int AS count,
             (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY "maxPayment") FROM questionnaires WHERE "seasonId" = ${s}::int) AS median
      FROM questionnaires WHERE "seasonId" = ${s}::int GROUP BY 1 ORDER BY 1`,
    multi: () => db.$queryRaw<{ question: 'sections' | 'digital'; value: string; count: number }[]>`
      SELECT 'sections' AS question, x AS value, count(*)::int AS count
      FROM questionnaires q, unnest(q.sections) AS x WHERE q."seasonId" = ${s}::int GROUP BY x
      UNION ALL
      SELECT 'digital', x, count(*)::int
      FROM questionnaires q, unnest(q.digital) AS x WHERE q."seasonId" = ${s}::int GROUP BY x`,
    otherTexts: () => db.$queryRaw<OtherText[]>`
      SELECT o.question, o.text, count(*)::int AS count
      FROM questionnaires q
      CROSS JOIN LATERAL (VALUES ('sections', q."sectionsOther"), ('digital', q."digitalOther")) AS v(question, raw)
      CROSS JOIN LATERAL (SELECT v.question,
                                 translate(lower(regexp_replace(btrim(v.raw), '\\s+', ' ', 'g')), ${UPPER}, ${LOWER}) AS text) AS o
      WHERE q."seasonId" = ${s}::int AND v.raw IS NOT NULL AND btrim(v.raw) <> ''
      GROUP BY o.question, o.text
      ORDER BY o.question DESC, count(*) DESC, o.text`,
  };
  type Results = { [K in keyof typeof queries]: Awaited<ReturnType<(typeof queries)[K]>> };
  const results = {} as Results;
  const runOne = async <K extends keyof typeof queries>(k: K) => {
    results[k] = (await queries[k]()) as Results[K];
    step(null);
  };
  const keys = Object.keys(queries) as (keyof typeof queries)[];
  if (isTransactionClient(db)) for (const k of keys) await runOne(k);
  else await Promise.all(keys.map(runOne));
  const {
    total: [total],
    chosen,
    active,
    ownership,
    language,
    payment,
    multi,
    otherTexts,
  } = results;

  const registry = await db.kindergarten.findMany({
    select: { id: true, number: true, nameKk: true, nameRu: true, district: true, ownership: true, capacity: true },
    orderBy: [{ district: 'asc' }, { number: 'asc' }],
  });
  const kindergartens = registry.map((k) => ({ ...k, ...(chosen.get(k.id) ?? NO_DEMAND), applications: active.get(k.id)?.total ?? 0 }));
  const districts = new Map<string, DistrictDemandRow>();
  for (const k of kindergartens) {
    const d = districts.get(k.district) ?? { district: k.district, kindergartens: 0, capacity: 0, applications: 0, ...NO_DEMAND };
    d.kindergartens++;
    d.capacity += k.capacity;
    d.applications += k.applications;
    d.first += k.first;
    d.second += k.second;
    d.third += k.third;
    d.total += k.total;
    districts.set(k.district, d);
  }

  const byCount = <T extends { count: number; value: string }>(a: T, b: T) => b.count - a.count || a.value.localeCompare(b.value);
  return {
    season,
    questionnaires: total?.n ?? 0,
    kindergartens,
    districts: [...districts.values()],
    ownership,
    language,
    payment: payment.map(({ value, count }) => ({ value, count })),
    paymentMedian: payment[0]?.median ?? null,
    sections: multi
      .filter((m) => m.question === 'sections')
      .map(({ value, count }) => ({ value, count }))
      .sort(byCount),
    digital: multi
      .filter((m) => m.question === 'digital')
      .map(({ value, count }) => ({ value, count }))
      .sort(byCount),
    otherTexts,
  };
}
