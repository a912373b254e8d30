/**
 * The kindergarten registry as the picker of question 1 sees it: search by number or name, paging,
 * distance from a shared location, and the current demand for each one shown.
 */
import { Prisma } from '../generated/prisma/client.ts';
import type { GeoPoint, KindergartenView } from '../conversation/core/views.ts';
import type { KindergartenRef } from '../questionnaire/answers.ts';
import { demandByKindergarten } from './demand.ts';
import type { Db } from './db.ts';

export interface KindergartenSearch {
  /** Typed text: a number (optionally after № or #) or part of the Kazakh or Russian name. */
  query: string | null;
  near: GeoPoint | null;
  /** 0-based; past the end it is clamped to the last page. */
  page: number;
  pageSize: number;
}

export interface KindergartenPage {
  items: KindergartenView[];
  total: number;
  page: number;
}

export type KindergartenFilter =
  | { kind: 'all' }
  | { kind: 'number'; digits: string }
  /** `pattern` is a case-folded ILIKE pattern with the user's % _ and \ escaped. */
  | { kind: 'name'; pattern: string };

export const MAX_PAGE_SIZE = 50;
/** Bounds the offset of a forged page number; far above any real registry. */
const MAX_REGISTRY_SIZE = 1_000_000;
const EARTH_RADIUS_KM = 6371.0088;

/*
 * Case folding of Cyrillic (Russian and Kazakh letters) done by `translate`, not by the database's
 * locale: a PostgreSQL initialised with the C locale lowercases only ASCII, and ILIKE then would
 * miss "БАЛАБАҚША" for "балабақша". ASCII is left to ILIKE, which folds it in every locale.
 */
const CYRILLIC_UPPER = 'АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯӘҒҚҢӨҰҮҺІ';
const CYRILLIC_LOWER = CYRILLIC_UPPER.toLowerCase();

/** Escapes LIKE's wildcards so a typed % or _ matches itself. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export function parseKindergartenQuery(query: string | null): KindergartenFilter {
  const text = (query ?? '').replace(/\s+/g, ' ').trim();
  if (text === '') return { kind: 'all' };
  const number = /^[№#]?\s*(\d+)$/.exec(text);
  if (number) return { kind: 'number', digits: number[1]!.replace(/^0+(?=\d)/, '') };
  return { kind: 'name', pattern: `%${escapeLike(text.toLowerCase())}%` };
}

function whereSql(filter: KindergartenFilter): Prisma.Sql {
  switch (filter.kind) {
    case 'all':
      return Prisma.sql`TRUE`;
    case 'number':
      // Text comparison: a long run of digits must not overflow an integer cast.
      return Prisma.sql`k."number"::text LIKE ${`${filter.digits}%`}`;
    case 'name':
      return Prisma.sql`(translate(k."nameKk", ${CYRILLIC_UPPER}, ${CYRILLIC_LOWER}) ILIKE ${filter.pattern} ESCAPE '\\'
        OR translate(k."nameRu", ${CYRILLIC_UPPER}, ${CYRILLIC_LOWER}) ILIKE ${filter.pattern} ESCAPE '\\')`;
  }
}

/** Great-circle (haversine) distance in km from the point to the kindergarten, computed in SQL. */
function distanceSql(near: GeoPoint): Prisma.Sql {
  const lat = Prisma.sql`${near.lat}::float8`;
  const lon = Prisma.sql`${near.lon}::float8`;
  return Prisma.sql`(2 * ${EARTH_RADIUS_KM}::float8 * asin(least(1::float8, sqrt(
    power(sin(radians(k."latitude" - ${lat}) / 2), 2)
    + cos(radians(${lat})) * cos(radians(k."latitude")) * power(sin(radians(k."longitude" - ${lon}) / 2), 2)
  ))))`;
}

function orderSql(filter: KindergartenFilter, near: GeoPoint | null): Prisma.Sql {
  if (near) return Prisma.sql`ORDER BY "distanceKm" ASC, k."number" ASC`;
  // The kindergarten with exactly the typed number first, then those whose number starts with it.
  if (filter.kind === 'number') return Prisma.sql`ORDER BY (k."number"::text = ${filter.digits}) DESC, k."number" ASC`;
  return Prisma.sql`ORDER BY k."number" ASC`;
}

export function clampPage(page: number, total: number, pageSize: number): number {
  const lastPage = Math.max(0, Math.ceil(total / pageSize) - 1);
  const wanted = Number.isFinite(page) ? Math.floor(page) : 0;
  return Math.min(Math.max(0, wanted), lastPage);
}

export async function searchKindergartens(db: Db, search: KindergartenSearch): Promise<KindergartenPage> {
  const filter = parseKindergartenQuery(search.query);
  const pageSize = Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(search.pageSize) || 1));
  const where = whereSql(filter);
  const distance = search.near ? distanceSql(search.near) : Prisma.sql`NULL::float8`;

  // The total comes with the page (a window count), so the usual request filters the registry once.
  const pageRows = (page: number) => db.$queryRaw<{ id: number; distanceKm: number | null; total: number }[]>`
    SELECT k.id, ${distance} AS "distanceKm", (count(*) OVER ())::int AS total
    FROM kindergartens k
    WHERE ${where}
    ${orderSql(filter, search.near)}
    LIMIT ${pageSize} OFFSET ${page * pageSize}`;

  let page = clampPage(search.page, MAX_REGISTRY_SIZE, pageSize);
  let rows = await pageRows(page);
  let total = rows[0]?.total ?? 0;
  if (rows.length === 0 && page > 0) {
    // Past the end: count, then show the last page.
    const [counted] = await db.$queryRaw<{ total: number }[]>`SELECT count(*)::int AS total FROM kindergartens k WHERE ${where}`;
    total = counted?.total ?? 0;
    page = clampPage(page, total, pageSize);
    if (total > 0) {
      rows = await pageRows(page);
      total = rows[0]?.total ?? total;
    }
  }
  if (rows.length === 0) return { items: [], total, page };

  const ids = rows.map((r) => r.id);
  // One after the other: a transaction client runs one query at a time anyway.
  const kindergartens = await db.kindergarten.findMany({ where: { id: { in: ids } } });
  const demand = await demandFor(db, ids);
  const byId = new Map(kindergartens.map((k) => [k.id, k]));
  const items = rows.flatMap((row): KindergartenView[] => {
    const k = byId.get(row.id);
    if (!k) return []; // deleted between the two queries
    return [kindergartenView(k, demand.get(k.id) ?? 0, row.distanceKm)];
  });
  return { items, total, page };
}

/**
 * Active applications that chose each of the kindergartens: the same aggregation the operators'
 * statistics show (src/services/demand.ts), so the picker and the report never disagree.
 */
export async function demandFor(db: Db, kindergartenIds: number[]): Promise<Map<number, number>> {
  const demand = await demandByKindergarten(db, { kind: 'applications' }, kindergartenIds);
  return new Map([...demand].map(([id, d]) => [id, d.total]));
}

/** The references of the ids that exist, in the order asked; unknown (forged) ids are left out. */
export async function getKindergartenRefs(db: Db, ids: number[]): Promise<KindergartenRef[]> {
  const wanted = ids.filter((id) => Number.isSafeInteger(id) && id > 0 && id <= 2_147_483_647);
  if (wanted.length === 0) return [];
  const rows = await db.kindergarten.findMany({
    where: { id: { in: wanted } },
    select: { id: true, number: true, nameKk: true, nameRu: true },
  });
  const byId = new Map(rows.map((r) => [r.id, r]));
  return wanted.flatMap((id) => {
    const ref = byId.get(id);
    return ref ? [ref] : [];
  });
}

/** A registry row as the picker shows it, with its current demand. */
export function kindergartenView(
  k: Pick<KindergartenView, 'id' | 'number' | 'nameKk' | 'nameRu' | 'ownership' | 'languages' | 'capacity'>,
  demand: number,
  distanceKm: number | null,
): KindergartenView {
  return {
    id: k.id,
    number: k.number,
    nameKk: k.nameKk,
    nameRu: k.nameRu,
    ownership: k.ownership,
    languages: k.languages,
    capacity: k.capacity,
    demand,
    distanceKm,
  };
}
