import { describe, expect, it } from 'vitest';
import { clampPage, escapeLike, getKindergartenRefs, parseKindergartenQuery, searchKindergartens } from '../../src/services/kindergartens.ts';
import { TEST_DB_KINDS } from '../../test-support/db.ts';
import { createApplication, createKindergarten, createParent } from '../helpers/fixtures.ts';
import { useDatabase } from './use-database.ts';

describe('query parsing', () => {
  it('reads numbers with or without № and #', () => {
    expect(parseKindergartenQuery(' 12 ')).toEqual({ kind: 'number', digits: '12' });
    expect(parseKindergartenQuery('№ 12')).toEqual({ kind: 'number', digits: '12' });
    expect(parseKindergartenQuery('#007')).toEqual({ kind: 'number', digits: '7' });
    expect(parseKindergartenQuery('0')).toEqual({ kind: 'number', digits: '0' });
  });

  it('treats anything else as part of a name, case-folded and escaped', () => {
    expect(parseKindergartenQuery('  Қарлығаш   ЖОЛЫ ')).toEqual({ kind: 'name', pattern: '%қарлығаш жолы%' });
    expect(parseKindergartenQuery('12a')).toEqual({ kind: 'name', pattern: '%12a%' });
    expect(parseKindergartenQuery('100%_\\')).toEqual({ kind: 'name', pattern: '%100\\%\\_\\\\%' });
    expect(parseKindergartenQuery('   ')).toEqual({ kind: 'all' });
    expect(parseKindergartenQuery(null)).toEqual({ kind: 'all' });
    expect(escapeLike('a%b_c')).toBe('a\\%b\\_c');
  });

  it('clamps pages into range', () => {
    expect(clampPage(0, 0, 10)).toBe(0);
    expect(clampPage(5, 0, 10)).toBe(0);
    expect(clampPage(2, 25, 10)).toBe(2);
    expect(clampPage(3, 25, 10)).toBe(2);
    expect(clampPage(1, 20, 10)).toBe(1);
    expect(clampPage(2, 20, 10)).toBe(1);
    expect(clampPage(-1, 25, 10)).toBe(0);
  });
});

/** Reference haversine, independent of the SQL one. */
function haversineKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = (d: number) => (d * Math.PI) / 180;
  const h = Math.sin(rad(b.lat - a.lat) / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(rad(b.lon - a.lon) / 2) ** 2;
  return 2 * 6371.0088 * Math.asin(Math.min(1, Math.sqrt(h)));
}

describe.each(TEST_DB_KINDS)('kindergarten search (%s)', (kind) => {
  const prisma = useDatabase(kind);

  const seedNamed = async () => {
    const kg = {
      one: await createKindergarten(prisma(), { number: 1, nameKk: 'Айгөлек', nameRu: 'Айгуль' }),
      twelve: await createKindergarten(prisma(), { number: 12, nameKk: 'Балапан', nameRu: 'Птенчик' }),
      swallow: await createKindergarten(prisma(), { number: 123, nameKk: 'Қарлығаш', nameRu: 'Ласточка' }),
      percent: await createKindergarten(prisma(), { number: 7, nameKk: 'Күн 100% бақыт', nameRu: 'Солнце' }),
      underscore: await createKindergarten(prisma(), { number: 8, nameKk: 'Ботақан', nameRu: 'Сад_8' }),
      latin: await createKindergarten(prisma(), { number: 45, nameKk: 'Smart Kids', nameRu: 'Smart Kids' }),
    };
    return kg;
  };
  const search = (query: string | null, page = 0, pageSize = 10) => searchKindergartens(prisma(), { query, near: null, page, pageSize });
  const numbers = (r: { items: { number: number }[] }) => r.items.map((k) => k.number);

  it('finds by number: the exact one first, then those starting with it', async () => {
    await seedNamed();
    expect(numbers(await search('12'))).toEqual([12, 123]);
    expect(numbers(await search('№12'))).toEqual([12, 123]);
    expect(numbers(await search('#1'))).toEqual([1, 12, 123]);
    expect(numbers(await search('123'))).toEqual([123]);
    expect(await search('99')).toEqual({ items: [], total: 0, page: 0 });
    expect(numbers(await search('99999999999999999999'))).toEqual([]);
  });

  it('finds by part of the Kazakh or the Russian name, ignoring case', async () => {
    await seedNamed();
    expect(numbers(await search('қарлы'))).toEqual([123]);
    expect(numbers(await search('ҚАРЛЫҒАШ'))).toEqual([123]);
    expect(numbers(await search('ласточ'))).toEqual([123]);
    expect(numbers(await search('ЛАСТОЧКА'))).toEqual([123]);
    expect(numbers(await search('аЙгӨл'))).toEqual([1]);
    expect(numbers(await search('smart'))).toEqual([45]);
    expect(numbers(await search('БА'))).toEqual([7, 12]); // бақыт, Балапан
  });

  it('matches % and _ literally', async () => {
    await seedNamed();
    expect(numbers(await search('%'))).toEqual([7]);
    expect(numbers(await search('100%'))).toEqual([7]);
    expect(numbers(await search('_'))).toEqual([8]);
    expect(numbers(await search('сад_'))).toEqual([8]);
    expect(numbers(await search('с%е'))).toEqual([]);
  });

  it('lists all by number when there is no query, with full views', async () => {
    const kg = await seedNamed();
    const r = await search(null);
    expect(numbers(r)).toEqual([1, 7, 8, 12, 45, 123]);
    expect(r.total).toBe(6);
    expect(r.items[0]).toEqual({
      id: kg.one.id,
      number: 1,
      nameKk: 'Айгөлек',
      nameRu: 'Айгуль',
      ownership: 'STATE',
      languages: ['KK', 'RU'],
      capacity: 120,
      demand: 0,
      distanceKm: null,
    });
  });

  it('pages and clamps an out-of-range page to the last', async () => {
    for (let n = 1; n <= 25; n++) await createKindergarten(prisma(), { number: n });
    const p0 = await search('', 0, 10);
    expect(p0).toMatchObject({ total: 25, page: 0 });
    expect(numbers(p0)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const p2 = await search('', 2, 10);
    expect(numbers(p2)).toEqual([21, 22, 23, 24, 25]);
    const past = await search('', 40, 10);
    expect(past.page).toBe(2);
    expect(numbers(past)).toEqual([21, 22, 23, 24, 25]);
    expect((await search('', -3, 10)).page).toBe(0);
    expect(await search('', 1e12, 10)).toMatchObject({ total: 25, page: 2 });
    expect(await search('', Number.NaN, 10)).toMatchObject({ total: 25, page: 0 });
    expect(await search('zzz', 3, 10)).toEqual({ items: [], total: 0, page: 0 });
    // Number search pages too: 2 and 20–25 start with "2".
    const twos = await search('2', 1, 5);
    expect(twos).toMatchObject({ total: 7, page: 1 });
    expect(numbers(twos)).toEqual([24, 25]);
  });

  it('orders by great-circle distance from a shared location', async () => {
    const home = { lat: 43.2389, lon: 76.8897 }; // Almaty
    const places = {
      here: { lat: 43.2389, lon: 76.8897 },
      north11km: { lat: 43.3389, lon: 76.8897 },
      east5km: { lat: 43.2389, lon: 76.9513 },
      astana: { lat: 51.1694, lon: 71.4491 },
      shymkent: { lat: 42.3417, lon: 69.5901 },
    };
    let n = 500;
    for (const [name, p] of Object.entries(places)) {
      await createKindergarten(prisma(), { number: n++, nameKk: name, nameRu: name, latitude: p.lat, longitude: p.lon });
    }
    const r = await searchKindergartens(prisma(), { query: null, near: home, page: 0, pageSize: 10 });
    expect(r.items.map((k) => k.nameKk)).toEqual(['here', 'east5km', 'north11km', 'shymkent', 'astana']);
    for (const item of r.items) {
      const p = places[item.nameKk as keyof typeof places];
      expect(item.distanceKm).toBeCloseTo(haversineKm(home, p), 6);
    }
    expect(r.items[0]!.distanceKm).toBeCloseTo(0, 9);
    // 0.1° of latitude is 11.12 km on a sphere of the mean Earth radius.
    expect(r.items[2]!.distanceKm).toBeCloseTo(11.1195, 3);
    expect(r.items[4]!.distanceKm).toBeGreaterThan(950);
    expect(r.items[4]!.distanceKm).toBeLessThan(1000);

    // Distance ordering combines with a query and with paging.
    const filtered = await searchKindergartens(prisma(), { query: 'a', near: home, page: 1, pageSize: 1 });
    expect(filtered).toMatchObject({ total: 2, page: 1 });
    expect(filtered.items.map((k) => k.nameKk)).toEqual(['astana']);
  });

  it('counts demand from active applications only', async () => {
    const wanted = await createKindergarten(prisma(), { number: 1 });
    const quiet = await createKindergarten(prisma(), { number: 2 });
    const parent = await createParent(prisma());
    await createApplication(prisma(), { parentId: parent.id, kindergartenIds: [wanted.id, quiet.id] });
    await createApplication(prisma(), { parentId: parent.id, kindergartenIds: [wanted.id] });
    await createApplication(prisma(), { parentId: parent.id, kindergartenIds: [quiet.id, wanted.id], status: 'STOP_LISTED' });
    await createApplication(prisma(), { parentId: parent.id, kindergartenIds: [wanted.id], status: 'ENROLLED' });
    await createApplication(prisma(), { parentId: parent.id, kindergartenIds: [quiet.id], status: 'REFERRED' });
    const r = await search(null);
    expect(r.items.map((k) => [k.number, k.demand])).toEqual([
      [1, 2],
      [2, 1],
    ]);
  });

  it('resolves existing kindergarten ids to refs and drops forged ones', async () => {
    const a = await createKindergarten(prisma());
    const b = await createKindergarten(prisma());
    const refs = await getKindergartenRefs(prisma(), [b.id, 999_999, a.id, -1, 2 ** 40]);
    expect(refs).toEqual([
      { id: b.id, number: b.number, nameKk: b.nameKk, nameRu: b.nameRu },
      { id: a.id, number: a.number, nameKk: a.nameKk, nameRu: a.nameRu },
    ]);
    expect(await getKindergartenRefs(prisma(), [])).toEqual([]);
  });
});
