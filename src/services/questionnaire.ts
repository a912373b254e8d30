/**
 * The season's questionnaire: stored once per parent and season, and submitting it extends every
 * application of the parent that needs it, in one transaction with an audit row per application.
 */
import type { Channel } from '../generated/prisma/client.ts';
import type { StoredQuestionnaire } from '../conversation/views.ts';
import { DIGITAL_SERVICES, SECTIONS, type DigitalService, type Section } from '../questionnaire/catalog.ts';
import { answersSchema, type Answers } from '../questionnaire/answers.ts';
import { inTransaction, type Db } from './db.ts';
import type { SeasonRef } from './seasons.ts';

/**
 * Answers that do not pass `answersSchema`, or name a kindergarten that does not exist (a forged or
 * stale id). Nothing has been written when it is thrown.
 */
export class InvalidAnswersError extends Error {
  constructor(
    readonly reason: 'schema' | 'unknownKindergarten',
    readonly issues: string[],
  ) {
    super(`Invalid questionnaire answers (${reason}): ${issues.join('; ')}`);
    this.name = 'InvalidAnswersError';
  }
}

export interface SubmitQuestionnaire {
  parentId: number;
  season: Pick<SeasonRef, 'id' | 'validUntil'>;
  answers: Answers;
  channel: Channel;
  now: Date;
}

export interface SubmitResult {
  /** Applications extended by this submission (0 on a resubmission). */
  extended: number;
  validUntil: Date;
}

const isSection = (s: string): s is Section => (SECTIONS as readonly string[]).includes(s);
const isDigital = (s: string): s is DigitalService => (DIGITAL_SERVICES as readonly string[]).includes(s);

export async function loadStoredQuestionnaire(db: Db, parentId: number, seasonId: number): Promise<StoredQuestionnaire | null> {
  const q = await db.questionnaire.findUnique({
    where: { parentId_seasonId: { parentId, seasonId } },
    include: {
      season: { select: { code: true } },
      kindergartens: {
        orderBy: { rank: 'asc' },
        select: { kindergarten: { select: { id: true, number: true, nameKk: true, nameRu: true } } },
      },
    },
  });
  if (!q) return null;
  return {
    answers: {
      kindergartens: q.kindergartens.map((c) => c.kindergarten),
      ownership: q.ownership,
      ownershipReason: q.ownershipReason,
      language: q.language,
      maxPayment: q.maxPayment,
      // An option retired from the catalog since is dropped rather than shown as an unknown id.
      sections: q.sections.filter(isSection),
      sectionsOther: q.sectionsOther,
      digital: q.digital.filter(isDigital),
      digitalOther: q.digitalOther,
    },
    submittedAt: q.submittedAt.toISOString(),
    updatedAt: q.updatedAt.toISOString(),
    channel: q.channel,
    seasonCode: q.season.code,
  };
}

/** Does the parent have this season's questionnaire? */
export async function hasQuestionnaire(db: Db, parentId: number, seasonId: number): Promise<boolean> {
  return (await db.questionnaire.count({ where: { parentId, seasonId } })) > 0;
}

export async function submitQuestionnaire(db: Db, args: SubmitQuestionnaire): Promise<SubmitResult> {
  const { parentId, season, channel, now } = args;
  const parsed = answersSchema.safeParse(args.answers);
  if (!parsed.success) {
    throw new InvalidAnswersError(
      'schema',
      parsed.error.issues.map((i) => `${i.path.join('.') || '(answers)'}: ${i.message}`),
    );
  }
  const answers = parsed.data;
  const kindergartenIds = answers.kindergartens.map((k) => k.id);

  return inTransaction(db, async (tx) => {
    const known = await tx.kindergarten.count({ where: { id: { in: kindergartenIds } } });
    if (known !== kindergartenIds.length) throw new InvalidAnswersError('unknownKindergarten', ['kindergartens: unknown id']);

    // Two submissions of one parent (say from Telegram and WhatsApp at once) take turns here, so
    // the choices are replaced whole and no application is extended twice.
    await tx.$queryRaw`SELECT id FROM parents WHERE id = ${parentId} FOR NO KEY UPDATE`;

    const fields = {
      ownership: answers.ownership,
      ownershipReason: answers.ownershipReason,
      language: answers.language,
      maxPayment: answers.maxPayment,
      sections: answers.sections,
      sectionsOther: answers.sectionsOther,
      digital: answers.digital,
      digitalOther: answers.digitalOther,
      channel,
      updatedAt: now,
    };
    const questionnaire = await tx.questionnaire.upsert({
      where: { parentId_seasonId: { parentId, seasonId: season.id } },
      create: { ...fields, parentId, seasonId: season.id, submittedAt: now },
      update: fields,
      select: { id: true },
    });
    await tx.questionnaireChoice.deleteMany({ where: { questionnaireId: questionnaire.id } });
    await tx.questionnaireChoice.createMany({
      data: kindergartenIds.map((kindergartenId, i) => ({ questionnaireId: questionnaire.id, kindergartenId, rank: i + 1 })),
    });

    // Locked rows are re-checked after a concurrent purge or restore commits, so the audit rows
    // name exactly the applications this submission extends, with the validity each one had.
    const due = await tx.$queryRaw<{ id: number; validUntil: Date }[]>`
      SELECT id, "validUntil" FROM applications
      WHERE "parentId" = ${parentId} AND status = 'ACTIVE' AND "validUntil" < ${season.validUntil}
      ORDER BY id
      FOR UPDATE`;
    if (due.length > 0) {
      await tx.application.updateMany({
        where: { id: { in: due.map((a) => a.id) } },
        data: { validUntil: season.validUntil },
      });
      await tx.extension.createMany({
        data: due.map((a) => ({
          applicationId: a.id,
          seasonId: season.id,
          questionnaireId: questionnaire.id,
          kind: 'EXTEND' as const,
          oldValidUntil: a.validUntil,
          newValidUntil: season.validUntil,
          channel,
          createdAt: now,
        })),
      });
    }
    return { extended: due.length, validUntil: season.validUntil };
  });
}
