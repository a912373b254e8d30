import { describe, expect, it } from 'vitest';
import { listApplications } from '../../src/services/applications.ts';
import { loadQuestionnaireStatus } from '../../src/services/questionnaire.ts';
import { getCurrentSeason, toSeasonView } from '../../src/services/seasons.ts';
import { TEST_DB_KINDS } from '../../test-support/db.ts';
import { createApplication, createChild, createKindergarten, createParent, createSeason } from '../helpers/fixtures.ts';
import { useDatabase } from './use-database.ts';

const OLD = new Date('2025-10-01T00:00:00Z');
const NEXT = new Date('2026-10-01T00:00:00Z');

describe.each(TEST_DB_KINDS)('seasons and applications (%s)', (kind) => {
  const prisma = useDatabase(kind);

  it('the current season is the one opened last, none before the first opens', async () => {
    await createSeason(prisma(), { code: '2024', opensAt: new Date('2024-09-01T00:00:00Z'), validUntil: OLD });
    const s25 = await createSeason(prisma(), {
      code: '2025',
      opensAt: new Date('2025-09-01T00:00:00Z'),
      deadline: new Date('2025-10-31T18:00:00Z'),
      validUntil: NEXT,
    });
    await createSeason(prisma(), { code: '2026', opensAt: new Date('2026-09-01T00:00:00Z'), validUntil: new Date('2027-10-01T00:00:00Z') });

    expect(await getCurrentSeason(prisma(), new Date('2024-08-31T23:59:59Z'))).toBeNull();
    expect((await getCurrentSeason(prisma(), new Date('2024-09-01T00:00:00Z')))?.code).toBe('2024');
    expect((await getCurrentSeason(prisma(), new Date('2025-12-01T00:00:00Z')))?.code).toBe('2025');
    expect(toSeasonView(s25)).toEqual({
      code: '2025',
      opensAt: '2025-09-01T00:00:00.000Z',
      deadline: '2025-10-31T18:00:00.000Z',
      validUntil: '2026-10-01T00:00:00.000Z',
    });
  });

  it('lists every application of the parent in queue order, with children, choices and extension need', async () => {
    const season = await createSeason(prisma(), { opensAt: new Date('2025-09-01T00:00:00Z'), validUntil: NEXT });
    const parent = await createParent(prisma());
    const other = await createParent(prisma());
    const [k1, k2, k3] = [await createKindergarten(prisma()), await createKindergarten(prisma()), await createKindergarten(prisma())];
    const aliya = await createChild(prisma(), parent.id, { fullName: 'Әлия' });
    const timur = await createChild(prisma(), parent.id, { fullName: 'Тимур' });

    const due = await createApplication(prisma(), {
      parentId: parent.id,
      childId: aliya.id,
      queueNumber: 300,
      validUntil: OLD,
      kindergartenIds: [k3!.id, k1!.id],
      category: 'PRIVILEGED',
      registeredAt: new Date('2023-03-01T05:00:00Z'),
    });
    const extended = await createApplication(prisma(), { parentId: parent.id, childId: timur.id, queueNumber: 100, validUntil: NEXT });
    const stopListed = await createApplication(prisma(), {
      parentId: parent.id,
      queueNumber: 200,
      status: 'STOP_LISTED',
      validUntil: OLD,
      stopListedAt: new Date('2025-11-01T00:00:00Z'),
      kindergartenIds: [k2!.id],
    });
    const enrolled = await createApplication(prisma(), { parentId: parent.id, queueNumber: 400, status: 'ENROLLED', validUntil: OLD });
    await createApplication(prisma(), { parentId: other.id, queueNumber: 50, validUntil: OLD });

    const items = await listApplications(prisma(), parent.id, season);
    expect(items.map((a) => a.id)).toEqual([extended.id, stopListed.id, due.id, enrolled.id]);
    expect(items.map((a) => [a.status, a.needsExtension])).toEqual([
      ['ACTIVE', false],
      ['STOP_LISTED', false],
      ['ACTIVE', true],
      ['ENROLLED', false],
    ]);
    expect(items[2]).toEqual({
      id: due.id,
      queueNumber: 300,
      childName: 'Әлия',
      category: 'PRIVILEGED',
      registeredAt: '2023-03-01T05:00:00.000Z',
      status: 'ACTIVE',
      validUntil: OLD.toISOString(),
      stopListedAt: null,
      needsExtension: true,
      kindergartens: [
        { number: k3!.number, nameKk: k3!.nameKk, nameRu: k3!.nameRu },
        { number: k1!.number, nameKk: k1!.nameKk, nameRu: k1!.nameRu },
      ],
      referral: null,
    });
    expect(items[0]!.childName).toBe('Тимур');
    expect(items[1]!.stopListedAt).toBe('2025-11-01T00:00:00.000Z');

    expect((await loadQuestionnaireStatus(prisma(), parent.id, season)).needExtension).toBe(1);
    expect((await loadQuestionnaireStatus(prisma(), other.id, season)).needExtension).toBe(1);
    // Without a season nothing needs extension.
    expect((await listApplications(prisma(), parent.id, null)).some((a) => a.needsExtension)).toBe(false);
  });

  it('a referral comes with its kindergarten, address and accept-by day; other statuses with none', async () => {
    const parent = await createParent(prisma());
    const kg = await createKindergarten(prisma());
    const referred = await createApplication(prisma(), { parentId: parent.id, queueNumber: 700, status: 'REFERRED', validUntil: NEXT });
    await prisma().application.update({
      where: { id: referred.id },
      data: { referralKindergartenId: kg.id, referralAcceptBy: new Date('2026-08-20T18:59:59Z') },
    });
    await createApplication(prisma(), { parentId: parent.id, queueNumber: 701, status: 'REFERRED', validUntil: NEXT });
    await createApplication(prisma(), { parentId: parent.id, queueNumber: 702, validUntil: NEXT });
    const items = await listApplications(prisma(), parent.id, null);
    expect(items.map((a) => a.referral)).toEqual([
      {
        kindergarten: { number: kg.number, nameKk: kg.nameKk, nameRu: kg.nameRu, addressKk: kg.addressKk, addressRu: kg.addressRu },
        acceptBy: '2026-08-20T18:59:59.000Z',
      },
      { kindergarten: null, acceptBy: null },
      null,
    ]);
  });

  it('an application valid exactly until the season validity does not need extension', async () => {
    const season = await createSeason(prisma(), { opensAt: new Date('2025-09-01T00:00:00Z'), validUntil: NEXT });
    const parent = await createParent(prisma());
    await createApplication(prisma(), { parentId: parent.id, validUntil: new Date(NEXT.getTime() - 1) });
    await createApplication(prisma(), { parentId: parent.id, validUntil: NEXT });
    expect((await listApplications(prisma(), parent.id, season)).map((a) => a.needsExtension)).toEqual([true, false]);
    expect((await loadQuestionnaireStatus(prisma(), parent.id, season)).needExtension).toBe(1);
  });

  it('a parent without applications gets an empty list', async () => {
    const parent = await createParent(prisma());
    expect(await listApplications(prisma(), parent.id, null)).toEqual([]);
  });
});
