/**
 * The season's questionnaire: stored once per parent and season, and submitting it extends every
 * application of the parent that needs it, in one transaction with an audit row per application.
 */
import type { Channel, InstructionLanguage, OwnershipPreference, OwnershipReason } from '../generated/prisma/client.ts';
import type { StoredQuestionnaire } from '../conversation/core/views.ts';
import { DIGITAL_SERVICES, SECTIONS, type DigitalService, type Section } from '../questionnaire/catalog.ts';
import { answersSchema, type Answers, type KindergartenRef } from '../questionnaire/answers.ts';
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

/** The parent's questionnaire of a season as the conversation shows it, and what submitting it would extend. */
export interface QuestionnaireStatus {
  stored: StoredQuestionnaire | null;
  /** The parent's active applications valid for less than the season grants. */
  needExtension: number;
}

interface StoredRow {
  ownership: OwnershipPreference | null;
  ownershipReason: OwnershipReason | null;
  language: InstructionLanguage | null;
  maxPayment: number | null;
  sections: string[] | null;
  sectionsOther: string | null;
  digital: string[] | null;
  digitalOther: string | null;
  channel: Channel | null;
  submittedAt: Date | null;
  updatedAt: Date | null;
  kindergartens: KindergartenRef[];
  needExtension: number;
}

/**
 * One statement for the two things opening the questionnaire needs; the count follows the rule of
 * `needsExtension` (seasons.ts). Columns as in prisma/schema.prisma (Questionnaire,
 * QuestionnaireChoice, Kindergarten, Application).
 */
export async function loadQuestionnaireStatus(db: Db, parentId: number, season: Pick<SeasonRef, 'id' | 'code' | 'validUntil'>): Promise<QuestionnaireStatus> {
  const rows = await db.$queryRaw<StoredRow[]>`
    SELECT q.ownership::text, q."ownershipReason"::text, q.language::text, q."maxPayment",
      q.sections, q."sectionsOther", q.digital, q."digitalOther", q.channel::text, q."submittedAt", q."updatedAt",
      COALESCE((
        SELECT json_agg(json_build_object('id', k.id, 'number', k.number, 'nameKk', k."nameKk", 'nameRu', k."nameRu") ORDER BY c.rank)
        FROM questionnaire_choices c JOIN kindergartens k ON k.id = c."kindergartenId"
        WHERE c."questionnaireId" = q.id
      ), '[]'::json) AS kindergartens,
      (SELECT count(*)::int FROM applications a
        WHERE a."parentId" = ${parentId} AND a.status = 'ACTIVE' AND a."validUntil" < ${season.validUntil}::timestamp(3)) AS "needExtension"
    FROM (SELECT 1) AS one
    LEFT JOIN questionnaires q ON q."parentId" = ${parentId} AND q."seasonId" = ${season.id}`;
  const row = rows[0]!;
  return { stored: toStored(row, season.code), needExtension: row.needExtension };
}

function toStored(q: StoredRow, seasonCode: string): StoredQuestionnaire | null {
  if (!q.ownership || !q.language || q.maxPayment === null || !q.channel || !q.submittedAt || !q.updatedAt) return null;
  return {
    answers: {
      kindergartens: q.kindergartens,
      ownership: q.ownership,
      ownershipReason: q.ownershipReason,
      language: q.language,
      maxPayment: q.maxPayment,
      // An option retired from the catalog since is dropped rather than shown as an unknown id.
      sections: (q.sections ?? []).filter(isSection),
      sectionsOther: q.sectionsOther,
      digital: (q.digital ?? []).filter(isDigital),
      digitalOther: q.digitalOther,
    },
    submittedAt: q.submittedAt.toISOString(),
    updatedAt: q.updatedAt.toISOString(),
    // Filled in a chat: SMS only ever carries the campaign's messages.
    channel: q.channel === 'SMS' ? 'CONSOLE' : q.channel,
    seasonCode,
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
    // Two submissions of one parent (say from Telegram and WhatsApp at once) take turns on the
    // parent's row, so the choices are replaced whole and no application is extended twice.
    const [locked] = await tx.$queryRaw<{ known: number }[]>`
      SELECT (SELECT count(*)::int FROM kindergartens WHERE id = ANY(${kindergartenIds}::int[])) AS known
      FROM parents WHERE id = ${parentId}
      FOR NO KEY UPDATE`;
    if (locked && locked.known !== kindergartenIds.length) throw new InvalidAnswersError('unknownKindergarten', ['kindergartens: unknown id']);

    const [questionnaire] = await tx.$queryRaw<{ id: number }[]>`
      WITH q AS (
        INSERT INTO questionnaires ("parentId", "seasonId", ownership, "ownershipReason", language, "maxPayment",
          sections, "sectionsOther", digital, "digitalOther", channel, "submittedAt", "updatedAt")
        VALUES (${parentId}, ${season.id}, ${answers.ownership}::"OwnershipPreference", ${answers.ownershipReason}::"OwnershipReason",
          ${answers.language}::"InstructionLanguage", ${answers.maxPayment}, ${answers.sections}::text[], ${answers.sectionsOther},
          ${answers.digital}::text[], ${answers.digitalOther}, ${channel}::"Channel", ${now}::timestamp(3), ${now}::timestamp(3))
        ON CONFLICT ("parentId", "seasonId") DO UPDATE SET
          ownership = EXCLUDED.ownership, "ownershipReason" = EXCLUDED."ownershipReason", language = EXCLUDED.language,
          "maxPayment" = EXCLUDED."maxPayment", sections = EXCLUDED.sections, "sectionsOther" = EXCLUDED."sectionsOther",
          digital = EXCLUDED.digital, "digitalOther" = EXCLUDED."digitalOther", channel = EXCLUDED.channel, "updatedAt" = EXCLUDED."updatedAt"
        RETURNING id
      ), dropped AS (
        DELETE FROM questionnaire_choices c USING q
        WHERE c."questionnaireId" = q.id AND NOT (c."kindergartenId" = ANY(${kindergartenIds}::int[]))
      ), chosen AS (
        INSERT INTO questionnaire_choices ("questionnaireId", "kindergartenId", rank)
        SELECT q.id, k.id, k.rank FROM q, unnest(${kindergartenIds}::int[]) WITH ORDINALITY AS k(id, rank)
        ON CONFLICT ("questionnaireId", "kindergartenId") DO UPDATE SET rank = EXCLUDED.rank
      )
      SELECT id FROM q`;

    // Locked rows are re-checked after a concurrent purge or restore commits, so the audit rows
    // name exactly the applications this submission extends, with the validity each one had.
    const [extension] = await tx.$queryRaw<{ extended: number }[]>`
      WITH due AS (
        SELECT id, "validUntil" FROM applications
        WHERE "parentId" = ${parentId} AND status = 'ACTIVE' AND "validUntil" < ${season.validUntil}::timestamp(3)
        ORDER BY id
        FOR UPDATE
      ), extended AS (
        UPDATE applications a SET "validUntil" = ${season.validUntil}::timestamp(3) FROM due WHERE a.id = due.id
      ), audited AS (
        INSERT INTO extensions ("applicationId", "seasonId", "questionnaireId", kind, "oldValidUntil", "newValidUntil", channel, "createdAt")
        SELECT due.id, ${season.id}::int, ${questionnaire!.id}::int, 'EXTEND'::"ExtensionKind", due."validUntil", ${season.validUntil}::timestamp(3), ${channel}::"Channel", ${now}::timestamp(3)
        FROM due
      )
      SELECT count(*)::int AS extended FROM due`;
    return { extended: extension!.extended, validUntil: season.validUntil };
  });
}
