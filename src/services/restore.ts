/**
 * Restoring a stop-listed application (docs/product.md §3.6, §5.4) under the region's restore policy.
 */
import type { Channel } from '../generated/prisma/client.ts';
import type { RestorePolicy } from '../config/env.ts';
import type { ApplicationView } from '../conversation/core/views.ts';
import { listApplicationViews } from './applications.ts';
import { inTransaction, type Db } from './db.ts';
import type { SeasonRef } from './seasons.ts';

export type RestoreOutcome = 'restored' | 'notFound' | 'notAllowed' | 'needsQuestionnaire' | 'noSeason';

export interface RestoreRequest {
  parentId: number;
  applicationId: number;
  season: Pick<SeasonRef, 'id' | 'validUntil'> | null;
  channel: Channel;
  now: Date;
}

export interface RestoreResult {
  outcome: RestoreOutcome;
  /** The new validity when restored, otherwise null. */
  validUntil: Date | null;
}

const DAY_MS = 86_400_000;

export function listStopListed(db: Db, parentId: number, season: Pick<SeasonRef, 'validUntil'> | null): Promise<ApplicationView[]> {
  return listApplicationViews(db, parentId, season, 'STOP_LISTED');
}

/** Why the policy refuses this restore, or null when it allows it. */
export function restoreRefusal(policy: RestorePolicy, application: { stopListedAt: Date | null; restoreCount: number }, now: Date): 'window' | 'times' | null {
  if (policy.maxTimes !== null && application.restoreCount >= policy.maxTimes) return 'times';
  // Without a recorded stop-list date there is nothing to measure the window from: allow.
  if (policy.windowDays !== null && application.stopListedAt !== null) {
    if (now.getTime() > application.stopListedAt.getTime() + policy.windowDays * DAY_MS) return 'window';
  }
  return null;
}

/**
 * Checks run in the order noSeason → notFound → notAllowed → needsQuestionnaire, so a parent is
 * never sent through the questionnaire for a restore the policy would refuse afterwards. Another
 * parent's application and one that is not stop-listed answer the same `notFound`.
 */
export async function restoreApplication(db: Db, policy: RestorePolicy, request: RestoreRequest): Promise<RestoreResult> {
  const { parentId, applicationId, season, channel, now } = request;
  const refused = (outcome: RestoreOutcome): RestoreResult => ({ outcome, validUntil: null });
  if (season === null) return refused('noSeason');
  if (!Number.isSafeInteger(applicationId) || applicationId <= 0 || applicationId > 2_147_483_647) return refused('notFound');

  const application = await db.application.findFirst({
    where: { id: applicationId, parentId, status: 'STOP_LISTED' },
    select: { id: true, validUntil: true, stopListedAt: true, restoreCount: true },
  });
  if (!application) return refused('notFound');
  if (restoreRefusal(policy, application, now) !== null) return refused('notAllowed');

  const questionnaire = await db.questionnaire.findUnique({
    where: { parentId_seasonId: { parentId, seasonId: season.id } },
    select: { id: true },
  });
  if (!questionnaire) return refused('needsQuestionnaire');

  return inTransaction(db, async (tx) => {
    // Conditional on the state just read: of two restores racing, the second updates nothing.
    const { count } = await tx.application.updateMany({
      where: { id: application.id, parentId, status: 'STOP_LISTED', restoreCount: application.restoreCount },
      data: {
        status: 'ACTIVE',
        restoredAt: now,
        restoreCount: { increment: 1 },
        validUntil: season.validUntil,
        ...(policy.keepRegistrationDate ? {} : { registeredAt: now }),
      },
    });
    if (count === 0) return refused('notFound');
    await tx.extension.create({
      data: {
        applicationId: application.id,
        seasonId: season.id,
        questionnaireId: questionnaire.id,
        kind: 'RESTORE',
        oldValidUntil: application.validUntil,
        newValidUntil: season.validUntil,
        channel,
        createdAt: now,
      },
    });
    return { outcome: 'restored', validUntil: season.validUntil } satisfies RestoreResult;
  });
}
