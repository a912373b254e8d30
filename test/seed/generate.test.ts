import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseIin } from '../../src/domain/iin.ts';
import { isNormalizedPhone } from '../../src/domain/phone.ts';
import { CITY } from '../../src/db/seed/data/city.ts';
import { DEMO_PARENTS } from '../../src/db/seed/demo-parents.ts';
import { generateDemoRegistry } from '../../src/db/seed/generate.ts';
import { distanceKm } from '../../src/db/seed/geo.ts';
import type { DemoRegistry } from '../../src/db/seed/registry.ts';
import { demoSeason } from '../../src/db/seed/season.ts';
import { answersSchema } from '../../src/questionnaire/answers.ts';

const NOW = new Date('2026-09-01T06:00:00Z');
const DAY_MS = 86_400_000;
const hash = (r: DemoRegistry) => createHash('sha256').update(JSON.stringify(r)).digest('hex');
const share = <T>(rows: readonly T[], test: (row: T) => boolean) => rows.filter(test).length / rows.length;

let registry: DemoRegistry;
beforeAll(() => {
  registry = generateDemoRegistry({ now: NOW, seed: 1 });
});

describe('demoSeason', () => {
  it('opens a week ago and ends at 23:59:59 Almaty time 30 days ahead, validity one year later', () => {
    expect(demoSeason(NOW)).toEqual({
      code: '2026',
      opensAt: new Date('2026-08-25T06:00:00Z'),
      deadline: new Date('2026-10-01T18:59:59Z'),
      validUntil: new Date('2027-10-01T18:59:59Z'),
    });
  });

  it('counts days and years on the Almaty calendar', () => {
    // 20:00 UTC is already the next day in Almaty (UTC+5)
    expect(demoSeason(new Date('2026-09-01T20:00:00Z')).deadline).toEqual(new Date('2026-10-02T18:59:59Z'));
    expect(demoSeason(new Date('2026-12-31T20:00:00Z')).code).toBe('2027');
    expect(demoSeason(new Date('2026-12-31T18:00:00Z')).code).toBe('2026');
  });
});

describe('generateDemoRegistry', () => {
  it('is deterministic for a seed and a moment', () => {
    const again = generateDemoRegistry({ now: NOW, seed: 1 });
    expect(hash(again)).toBe(hash(registry));
    expect(again).toEqual(registry);
    expect(hash(generateDemoRegistry({ now: NOW, seed: 2 }))).not.toBe(hash(registry));
  });

  it('has the expected sizes', () => {
    expect(registry.kindergartens).toHaveLength(100);
    expect(registry.parents).toHaveLength(5_000);
    expect(registry.children.length).toBeGreaterThan(5_600);
    expect(registry.children.length).toBeLessThan(6_600);
    expect(registry.applications).toHaveLength(registry.children.length);
    expect(generateDemoRegistry({ now: NOW, parents: 50 }).parents).toHaveLength(50);
    expect(() => generateDemoRegistry({ now: NOW, parents: 2 })).toThrow(RangeError);
  });

  it('gives parents and children unique valid IINs matching their birth dates', () => {
    const iins = [...registry.parents, ...registry.children].map((p) => p.iin);
    expect(new Set(iins).size).toBe(iins.length);
    for (const p of registry.parents) {
      const parsed = parseIin(p.iin);
      if (!parsed.ok) throw new Error(`invalid parent IIN: ${parsed.error}`);
      expect(parsed.birthDate.getUTCFullYear()).toBeGreaterThanOrEqual(1975);
      expect(parsed.birthDate.getUTCFullYear()).toBeLessThanOrEqual(2003);
    }
    const sixYearsAgo = new Date('2020-09-01T00:00:00Z');
    for (const c of registry.children) {
      const parsed = parseIin(c.iin);
      if (!parsed.ok) throw new Error(`invalid child IIN: ${parsed.error}`);
      expect(parsed.birthDate).toEqual(c.birthDate);
      expect(['5', '6']).toContain(c.iin[6]);
      expect(c.birthDate.getTime()).toBeGreaterThanOrEqual(sixYearsAgo.getTime());
      expect(c.birthDate.getTime()).toBeLessThan(NOW.getTime());
      // parents were at least 18 when the child was born
      const parent = parseIin(registry.parents[c.parent]!.iin);
      if (parent.ok) expect(c.birthDate.getUTCFullYear() - parent.birthDate.getUTCFullYear()).toBeGreaterThanOrEqual(18);
    }
  });

  it('gives parents unique E.164 Kazakh mobile phones and a locale mix', () => {
    const phones = registry.parents.map((p) => p.phone);
    expect(new Set(phones).size).toBe(phones.length);
    for (const phone of phones) {
      expect(isNormalizedPhone(phone)).toBe(true);
      expect(phone).toMatch(/^\+77[047]\d{8}$/);
    }
    expect(share(registry.parents, (p) => p.locale === 'kk')).toBeGreaterThan(0.25);
    expect(share(registry.parents, (p) => p.locale === 'ru')).toBeGreaterThan(0.25);
    expect(share(registry.parents, (p) => p.locale === null)).toBeGreaterThan(0.1);
    for (const p of registry.parents) expect(p.fullName.split(' ')).toHaveLength(3);
  });

  it('builds a plausible kindergarten registry', () => {
    const ks = registry.kindergartens;
    expect(new Set(ks.map((k) => k.number)).size).toBe(ks.length);
    expect(Math.max(...ks.map((k) => k.number))).toBeLessThanOrEqual(120);
    expect(share(ks, (k) => k.ownership === 'STATE')).toBeGreaterThan(0.6);
    expect(share(ks, (k) => k.ownership === 'STATE')).toBeLessThan(0.8);
    expect(ks.filter((k) => k.correctional).length).toBe(5);
    expect(new Set(ks.map((k) => k.district)).size).toBeGreaterThanOrEqual(4);
    for (const k of ks) {
      expect(k.nameRu).toMatch(new RegExp(`^(Детский сад|Ясли-сад|Специальный детский сад) № ${k.number} «.+»$`));
      expect(k.nameKk).toMatch(new RegExp(`^№ ${k.number} «.+» (балабақшасы|бөбекжай-бақшасы|арнайы балабақшасы)$`));
      expect(k.capacity).toBeGreaterThanOrEqual(60);
      expect(k.capacity).toBeLessThanOrEqual(k.ownership === 'PRIVATE' ? 150 : 320);
      expect(k.languages.length).toBeGreaterThan(0);
      expect(new Set(k.languages).size).toBe(k.languages.length);
      expect(distanceKm(CITY, k)).toBeLessThanOrEqual(6);
      expect(k.addressKk.length).toBeGreaterThan(3);
      expect(k.addressRu.length).toBeGreaterThan(3);
      if (k.correctional) expect(k.ownership).toBe('STATE');
    }
  });

  it('gives every child one application with a unique queue number in registration order', () => {
    const apps = registry.applications;
    expect(apps.map((a) => a.child).sort((a, b) => a - b)).toEqual(registry.children.map((_, i) => i));
    expect(apps.map((a) => a.queueNumber).sort((a, b) => a - b)).toEqual(apps.map((_, i) => i + 1));
    const byQueue = apps.slice().sort((a, b) => a.queueNumber - b.queueNumber);
    for (let i = 1; i < byQueue.length; i++) expect(byQueue[i]!.registeredAt.getTime()).toBeGreaterThanOrEqual(byQueue[i - 1]!.registeredAt.getTime());
    for (const a of apps) {
      const child = registry.children[a.child]!;
      expect(a.parent).toBe(child.parent);
      expect(a.registeredAt.getTime()).toBeGreaterThanOrEqual(child.birthDate.getTime());
      expect(a.registeredAt.getTime()).toBeLessThan(NOW.getTime());
    }
  });

  it('mixes categories and statuses in the documented shares', () => {
    const apps = registry.applications;
    expect(share(apps, (a) => a.category === 'GENERAL')).toBeGreaterThan(0.8);
    expect(share(apps, (a) => a.category === 'PRIVILEGED')).toBeGreaterThan(0.09);
    expect(share(apps, (a) => a.category === 'PRIVILEGED')).toBeLessThan(0.15);
    expect(share(apps, (a) => a.category === 'CORRECTIONAL')).toBeGreaterThan(0.015);
    expect(share(apps, (a) => a.category === 'CORRECTIONAL')).toBeLessThan(0.045);
    expect(share(apps, (a) => a.status === 'ACTIVE')).toBeGreaterThan(0.88);
    expect(share(apps, (a) => a.status === 'REFERRED')).toBeGreaterThan(0.02);
    expect(share(apps, (a) => a.status === 'REFERRED')).toBeLessThan(0.07);
    expect(share(apps, (a) => a.status === 'STOP_LISTED')).toBeGreaterThan(0.01);
    expect(share(apps, (a) => a.status === 'STOP_LISTED')).toBeLessThan(0.03);
    expect(share(apps, (a) => a.status === 'ENROLLED')).toBeGreaterThan(0.002);
    expect(share(apps, (a) => a.status === 'ENROLLED')).toBeLessThan(0.02);
  });

  it('sets validity from the season: stop-listed in the past, most active ones needing extension', () => {
    const { season } = registry;
    expect(season.deadline.getTime()).toBeGreaterThan(NOW.getTime());
    for (const a of registry.applications) {
      if (a.status === 'STOP_LISTED') {
        expect(a.stopListedAt).not.toBeNull();
        expect(a.stopListedAt!.getTime()).toBeLessThan(NOW.getTime());
        expect(a.validUntil.getTime()).toBeLessThanOrEqual(a.stopListedAt!.getTime());
        expect(a.registeredAt.getTime()).toBeLessThan(a.stopListedAt!.getTime());
      } else {
        expect(a.stopListedAt).toBeNull();
        expect([season.deadline.getTime(), season.validUntil.getTime()]).toContain(a.validUntil.getTime());
      }
    }
    const active = registry.applications.filter((a) => a.status === 'ACTIVE');
    const extendedShare = share(active, (a) => a.validUntil.getTime() === season.validUntil.getTime());
    expect(extendedShare).toBeGreaterThan(0.05);
    expect(extendedShare).toBeLessThan(0.15);
  });

  it('chooses 1–3 distinct kindergartens, correctional ones only for correctional applications, with uneven demand', () => {
    const correctional = new Set(registry.kindergartens.filter((k) => k.correctional).map((k) => k.number));
    const known = new Set(registry.kindergartens.map((k) => k.number));
    const demand = new Map<number, number>();
    for (const a of registry.applications) {
      expect(a.choices.length).toBeGreaterThanOrEqual(1);
      expect(a.choices.length).toBeLessThanOrEqual(3);
      expect(new Set(a.choices).size).toBe(a.choices.length);
      for (const n of a.choices) {
        expect(known.has(n)).toBe(true);
        expect(correctional.has(n)).toBe(a.category === 'CORRECTIONAL');
        demand.set(n, (demand.get(n) ?? 0) + 1);
      }
    }
    const ratios = registry.kindergartens.map((k) => (demand.get(k.number) ?? 0) / k.capacity);
    expect(ratios.filter((r) => r > 1).length).toBeGreaterThanOrEqual(5);
    expect(ratios.filter((r) => r < 0.5).length).toBeGreaterThanOrEqual(5);
  });

  it("records this season's questionnaires and one extension per extended application", () => {
    const { season, questionnaires, extensions, applications } = registry;
    expect(new Set(questionnaires.map((q) => q.parent)).size).toBe(questionnaires.length);
    const byNumber = new Map(registry.kindergartens.map((k, i) => [k.number, { id: i + 1, number: k.number, nameKk: k.nameKk, nameRu: k.nameRu }]));
    for (const q of questionnaires) {
      const parsed = answersSchema.safeParse({ ...q, kindergartens: q.kindergartens.map((n) => byNumber.get(n)) });
      expect(parsed.error).toBeUndefined();
      expect(q.submittedAt.getTime()).toBeGreaterThanOrEqual(season.opensAt.getTime());
      expect(q.submittedAt.getTime()).toBeLessThanOrEqual(NOW.getTime());
    }
    const extended = applications.flatMap((a, i) => (a.validUntil.getTime() === season.validUntil.getTime() ? [i] : []));
    expect(extensions.map((e) => e.application).sort((a, b) => a - b)).toEqual(extended);
    for (const e of extensions) {
      const q = questionnaires[e.questionnaire]!;
      expect(q.parent).toBe(applications[e.application]!.parent);
      expect(e).toMatchObject({ oldValidUntil: season.deadline, newValidUntil: season.validUntil, channel: q.channel, createdAt: q.submittedAt });
    }
  });

  it('puts the fixed demo parents first, the same for every seed', () => {
    const other = generateDemoRegistry({ now: NOW, seed: 99, parents: 20 });
    for (const r of [registry, other]) {
      DEMO_PARENTS.forEach((demo, i) => {
        expect(r.parents[i]).toEqual({
          iin: demo.iin,
          phone: demo.phone,
          fullName: demo.fullName,
          locale: demo.locale,
          notifyWhatsapp: i < 2 ? true : null,
          notifySms: [true, false, null][i],
        });
        expect(parseIin(demo.iin)).toEqual({ ok: true, iin: demo.iin, birthDate: demo.birthDate, sex: demo.sex });
      });
      const appsOf = (i: number) => r.applications.filter((a) => a.parent === i);
      const { deadline, validUntil } = r.season;

      expect(appsOf(0).map((a) => [a.status, a.validUntil])).toEqual([
        ['ACTIVE', deadline],
        ['ACTIVE', deadline],
      ]);
      expect(appsOf(1).map((a) => a.status)).toEqual(['STOP_LISTED', 'ACTIVE']);
      expect(appsOf(1)[1]!.validUntil).toEqual(deadline);
      expect(appsOf(2).map((a) => [a.status, a.validUntil])).toEqual([['ACTIVE', validUntil]]);
      expect(r.questionnaires.filter((q) => q.parent < DEMO_PARENTS.length).map((q) => q.parent)).toEqual([2]);
      expect(r.children.filter((c) => c.parent < DEMO_PARENTS.length).map((c) => c.fullName)).toEqual(
        DEMO_PARENTS.flatMap((p) => p.children.map((c) => c.fullName)),
      );
    }
    // No generated phone falls in the demo block.
    expect(registry.parents.slice(DEMO_PARENTS.length).some((p) => p.phone.startsWith('+770100000'))).toBe(false);
  });

  it('keeps children younger than six years at any moment', () => {
    const later = new Date('2031-03-15T12:00:00Z');
    const r = generateDemoRegistry({ now: later, parents: 300 });
    for (const c of r.children) {
      expect(later.getTime() - c.birthDate.getTime()).toBeLessThan(6 * 366 * DAY_MS);
      expect(parseIin(c.iin).ok).toBe(true);
    }
    expect(r.season.code).toBe('2031');
  });
});

describe('consent in the demo registry', () => {
  it('most parents agreed to WhatsApp messages, fewer to SMS, some stated nothing', () => {
    const r = generateDemoRegistry({ now: NOW, parents: 2_000 });
    const share = (f: (p: (typeof r.parents)[number]) => boolean) => r.parents.filter(f).length / r.parents.length;
    expect(share((p) => p.notifyWhatsapp === true)).toBeGreaterThan(0.6);
    expect(share((p) => p.notifyWhatsapp === null)).toBeGreaterThan(0.1);
    expect(share((p) => p.notifySms === true)).toBeLessThan(share((p) => p.notifyWhatsapp === true));
  });
});
