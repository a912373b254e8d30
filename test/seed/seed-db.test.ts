/**
 * The demo seed against real databases: the embedded PGlite and PostgreSQL. What is written must
 * be exactly the generated registry, in one transaction.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/generated/prisma/client.ts';
import { DEMO_PARENTS } from '../../src/db/seed/demo-parents.ts';
import { generateDemoRegistry } from '../../src/db/seed/generate.ts';
import type { DemoRegistry } from '../../src/db/seed/registry.ts';
import { isDatabaseEmpty, seedDemo } from '../../src/db/seed/seed.ts';
import { TEST_DB_KINDS, createTestDatabase } from '../../test-support/db.ts';
import { truncateAll } from '../helpers/fixtures.ts';

const NOW = new Date('2026-09-01T06:00:00Z');

/** The registry in the shape the database gives back, with references as natural keys. */
function expectedRows(r: DemoRegistry) {
  const parentIin = (i: number) => r.parents[i]!.iin;
  return {
    season: r.season,
    kindergartens: r.kindergartens,
    parents: r.parents,
    children: r.children.map((c) => ({ iin: c.iin, fullName: c.fullName, birthDate: c.birthDate, parent: parentIin(c.parent) })),
    applications: r.applications
      .map((a) => ({
        queueNumber: a.queueNumber,
        parent: parentIin(a.parent),
        child: r.children[a.child]!.iin,
        category: a.category,
        registeredAt: a.registeredAt,
        status: a.status,
        validUntil: a.validUntil,
        stopListedAt: a.stopListedAt,
        choices: a.choices,
      }))
      .sort((a, b) => a.queueNumber - b.queueNumber),
    questionnaires: r.questionnaires.map(({ parent, ...q }) => ({ ...q, parent: parentIin(parent) })),
    extensions: r.extensions.map((e) => ({
      application: r.applications[e.application]!.queueNumber,
      questionnaireOf: parentIin(r.questionnaires[e.questionnaire]!.parent),
      kind: 'EXTEND',
      oldValidUntil: e.oldValidUntil,
      newValidUntil: e.newValidUntil,
      channel: e.channel,
      createdAt: e.createdAt,
    })),
  };
}

async function storedRows(prisma: PrismaClient) {
  const season = await prisma.season.findFirstOrThrow({ select: { code: true, opensAt: true, deadline: true, validUntil: true } });
  const kindergartens = await prisma.kindergarten.findMany({ orderBy: { id: 'asc' }, omit: { id: true } });
  const parents = await prisma.parent.findMany({
    orderBy: { id: 'asc' },
    select: { iin: true, fullName: true, phone: true, locale: true, notifyWhatsapp: true, notifySms: true },
  });
  const children = await prisma.child.findMany({
    orderBy: { id: 'asc' },
    select: { iin: true, fullName: true, birthDate: true, parent: { select: { iin: true } } },
  });
  const applications = await prisma.application.findMany({
    orderBy: { queueNumber: 'asc' },
    include: { parent: { select: { iin: true } }, child: { select: { iin: true } }, choices: { orderBy: { rank: 'asc' }, include: { kindergarten: true } } },
  });
  const questionnaires = await prisma.questionnaire.findMany({
    orderBy: { id: 'asc' },
    include: { parent: { select: { iin: true } }, kindergartens: { orderBy: { rank: 'asc' }, include: { kindergarten: true } } },
  });
  const extensions = await prisma.extension.findMany({
    orderBy: { id: 'asc' },
    include: { application: { select: { queueNumber: true } }, questionnaire: { include: { parent: { select: { iin: true } } } } },
  });
  return {
    season,
    kindergartens,
    parents,
    children: children.map(({ parent, ...c }) => ({ ...c, parent: parent.iin })),
    applications: applications.map((a) => ({
      queueNumber: a.queueNumber,
      parent: a.parent.iin,
      child: a.child.iin,
      category: a.category,
      registeredAt: a.registeredAt,
      status: a.status,
      validUntil: a.validUntil,
      stopListedAt: a.stopListedAt,
      choices: a.choices.map((c) => c.kindergarten.number),
    })),
    questionnaires: questionnaires.map((q) => ({
      kindergartens: q.kindergartens.map((c) => c.kindergarten.number),
      ownership: q.ownership,
      ownershipReason: q.ownershipReason,
      language: q.language,
      maxPayment: q.maxPayment,
      sections: q.sections,
      sectionsOther: q.sectionsOther,
      digital: q.digital,
      digitalOther: q.digitalOther,
      channel: q.channel,
      submittedAt: q.submittedAt,
      parent: q.parent.iin,
    })),
    extensions: extensions.map((e) => ({
      application: e.application.queueNumber,
      questionnaireOf: e.questionnaire?.parent.iin,
      kind: e.kind,
      oldValidUntil: e.oldValidUntil,
      newValidUntil: e.newValidUntil,
      channel: e.channel,
      createdAt: e.createdAt,
    })),
  };
}

async function tableCounts(prisma: PrismaClient) {
  return {
    seasons: await prisma.season.count(),
    kindergartens: await prisma.kindergarten.count(),
    parents: await prisma.parent.count(),
    children: await prisma.child.count(),
    applications: await prisma.application.count(),
    applicationChoices: await prisma.applicationChoice.count(),
    questionnaires: await prisma.questionnaire.count(),
    questionnaireChoices: await prisma.questionnaireChoice.count(),
    extensions: await prisma.extension.count(),
  };
}

describe.each(TEST_DB_KINDS)('seedDemo on %s', (kind) => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.close();
  });
  beforeEach(async () => {
    await truncateAll(database.prisma);
  });

  it('writes exactly the generated registry, quickly, and reports the counts', async () => {
    const { prisma } = database;
    expect(await isDatabaseEmpty(prisma)).toBe(true);

    const summary = await seedDemo(prisma, { now: NOW, seed: 1 });
    console.info(`[seed] ${kind}: ${summary.applications} applications in ${summary.elapsedMs} ms`);
    expect(summary.elapsedMs).toBeLessThan(30_000);
    const { elapsedMs: _, ...counts } = summary;
    expect(await tableCounts(prisma)).toEqual(counts);
    expect(counts.parents).toBe(5_000);
    expect(counts.kindergartens).toBe(100);
    expect(await isDatabaseEmpty(prisma)).toBe(false);

    expect(await storedRows(prisma)).toEqual(expectedRows(generateDemoRegistry({ now: NOW, seed: 1 })));

    // Identity columns still hand out fresh ids after the bulk insert.
    const parent = await prisma.parent.create({ data: { iin: '880515300208', fullName: 'Тестов Тест Тестович', phone: '+77009999999' } });
    expect(parent.id).toBeGreaterThan(5_000);
  });

  it('lets the demo parents be found by phone with their scenarios', async () => {
    const { prisma } = database;
    await seedDemo(prisma, { now: NOW, seed: 7, parents: 200 });
    const season = await prisma.season.findFirstOrThrow();
    expect(season.deadline.getTime()).toBeGreaterThan(NOW.getTime());

    const [first, second, third] = await Promise.all(
      DEMO_PARENTS.map((p) =>
        prisma.parent.findFirstOrThrow({
          where: { phone: p.phone },
          include: { applications: { orderBy: { queueNumber: 'asc' } }, children: true, questionnaires: true },
        }),
      ),
    );
    expect(first!.iin).toBe(DEMO_PARENTS[0]!.iin);
    expect(first!.applications.filter((a) => a.status === 'ACTIVE' && a.validUntil.getTime() === season.deadline.getTime())).toHaveLength(2);
    expect(second!.applications.map((a) => a.status).sort()).toEqual(['ACTIVE', 'STOP_LISTED']);
    expect(third!.applications.map((a) => a.validUntil)).toEqual([season.validUntil]);
    expect(third!.questionnaires).toHaveLength(1);
  });

  it('rolls the whole seed back when a row conflicts', async () => {
    const { prisma } = database;
    const registry = generateDemoRegistry({ now: NOW, seed: 3, parents: 100 });
    // A stranger already holds the IIN of the last generated child: the children insert fails
    // after the season, kindergartens and parents were written.
    const stranger = await prisma.parent.create({ data: { iin: '880515300208', fullName: 'Бөтен Адам', phone: '+77009999998' } });
    await prisma.child.create({
      data: { iin: registry.children.at(-1)!.iin, fullName: 'Бөтен Бала', birthDate: registry.children.at(-1)!.birthDate, parentId: stranger.id },
    });

    await expect(seedDemo(prisma, { now: NOW, seed: 3, parents: 100 })).rejects.toThrow();
    expect(await tableCounts(prisma)).toEqual({
      seasons: 0,
      kindergartens: 0,
      parents: 1,
      children: 1,
      applications: 0,
      applicationChoices: 0,
      questionnaires: 0,
      questionnaireChoices: 0,
      extensions: 0,
    });
  });

  it('counts a database with only a season or a kindergarten as not empty', async () => {
    const { prisma } = database;
    await prisma.season.create({ data: { code: 'X', opensAt: NOW, deadline: NOW, validUntil: NOW } });
    expect(await isDatabaseEmpty(prisma)).toBe(false);
  });
});
