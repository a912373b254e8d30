/** A parent's applications as the conversation shows them. */
import type { ApplicationStatus, Prisma } from '../generated/prisma/client.ts';
import type { ApplicationView } from '../conversation/core/views.ts';
import type { Db } from './db.ts';
import { needsExtension, type SeasonRef } from './seasons.ts';

const applicationViewInclude = {
  child: { select: { fullName: true } },
  choices: {
    orderBy: { rank: 'asc' },
    select: { kindergarten: { select: { number: true, nameKk: true, nameRu: true } } },
  },
  referralKindergarten: { select: { number: true, nameKk: true, nameRu: true, addressKk: true, addressRu: true } },
} satisfies Prisma.ApplicationInclude;

type ApplicationRow = Prisma.ApplicationGetPayload<{ include: typeof applicationViewInclude }>;

function toApplicationView(row: ApplicationRow, season: Pick<SeasonRef, 'validUntil'> | null): ApplicationView {
  return {
    id: row.id,
    queueNumber: row.queueNumber,
    childName: row.child.fullName,
    category: row.category,
    registeredAt: row.registeredAt.toISOString(),
    status: row.status,
    validUntil: row.validUntil.toISOString(),
    stopListedAt: row.stopListedAt?.toISOString() ?? null,
    needsExtension: needsExtension(row, season),
    kindergartens: row.choices.map((c) => c.kindergarten),
    referral: row.status === 'REFERRED' ? { kindergarten: row.referralKindergarten, acceptBy: row.referralAcceptBy?.toISOString() ?? null } : null,
  };
}

/** The parent's applications in queue order, optionally only those in one status. */
export async function listApplicationViews(
  db: Db,
  parentId: number,
  season: Pick<SeasonRef, 'validUntil'> | null,
  status?: ApplicationStatus,
): Promise<ApplicationView[]> {
  const rows = await db.application.findMany({
    where: { parentId, ...(status ? { status } : {}) },
    include: applicationViewInclude,
    orderBy: { queueNumber: 'asc' },
  });
  return rows.map((row) => toApplicationView(row, season));
}

/** Every application of the parent, whatever its status: the parent sees the whole picture. */
export function listApplications(db: Db, parentId: number, season: Pick<SeasonRef, 'validUntil'> | null): Promise<ApplicationView[]> {
  return listApplicationViews(db, parentId, season);
}
