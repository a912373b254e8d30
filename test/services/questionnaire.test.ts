import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { untilLockWait } from '../waits.ts';
import type { PrismaClient } from '../../src/generated/prisma/client.ts';
import { InvalidAnswersError, loadQuestionnaireStatus, submitQuestionnaire } from '../../src/services/questionnaire.ts';
import { TEST_DB_KINDS } from '../../test-support/db.ts';
import { answersFor, createApplication, createKindergarten, createParent, createSeason } from '../helpers/fixtures.ts';
import { useDatabase, useTestDatabase } from './use-database.ts';

const OLD = new Date('2025-10-01T00:00:00Z');
const NEXT = new Date('2026-10-01T00:00:00Z');
const NOW = new Date('2025-09-15T08:30:00Z');
const LATER = new Date('2025-09-20T12:00:00Z');

describe.each(TEST_DB_KINDS)('questionnaire submission (%s)', (kind) => {
  const prisma = useDatabase(kind);

  async function scenario() {
    const db = prisma();
    const season = await createSeason(db, { code: '2025', opensAt: new Date('2025-09-01T00:00:00Z'), validUntil: NEXT });
    const kgs = [await createKindergarten(db), await createKindergarten(db), await createKindergarten(db)] as const;
    const parent = await createParent(db);
    const other = await createParent(db);
    const apps = {
      due1: await createApplication(db, { parentId: parent.id, validUntil: OLD }),
      alreadyExtended: await createApplication(db, { parentId: parent.id, validUntil: NEXT }),
      stopListed: await createApplication(db, { parentId: parent.id, status: 'STOP_LISTED', validUntil: OLD }),
      enrolled: await createApplication(db, { parentId: parent.id, status: 'ENROLLED', validUntil: OLD }),
      due2: await createApplication(db, { parentId: parent.id, validUntil: new Date('2024-10-01T00:00:00Z') }),
      othersDue: await createApplication(db, { parentId: other.id, validUntil: OLD }),
    };
    return { db, season, kgs, parent, other, apps };
  }

  const validity = async (db: PrismaClient, ids: number[]) =>
    (await db.application.findMany({ where: { id: { in: ids } }, orderBy: { id: 'asc' } })).map((a) => a.validUntil.toISOString());

  it('extends exactly the applications needing it, with an audit row each, and stores the answers', async () => {
    const { db, season, kgs, parent, apps } = await scenario();
    const answers = answersFor([kgs[2], kgs[0]]);
    expect(await loadQuestionnaireStatus(db, parent.id, season)).toEqual({ stored: null, needExtension: 2 });
    const r = await submitQuestionnaire(db, { parentId: parent.id, season, answers, channel: 'TELEGRAM', now: NOW });
    expect(r).toEqual({ extended: 2, validUntil: NEXT });

    const after = await db.application.findMany({ orderBy: { id: 'asc' } });
    const byId = new Map(after.map((a) => [a.id, a.validUntil.toISOString()]));
    expect(byId.get(apps.due1.id)).toBe(NEXT.toISOString());
    expect(byId.get(apps.due2.id)).toBe(NEXT.toISOString());
    expect(byId.get(apps.alreadyExtended.id)).toBe(NEXT.toISOString());
    expect(byId.get(apps.stopListed.id)).toBe(OLD.toISOString());
    expect(byId.get(apps.enrolled.id)).toBe(OLD.toISOString());
    expect(byId.get(apps.othersDue.id)).toBe(OLD.toISOString());

    const questionnaire = await db.questionnaire.findUniqueOrThrow({ where: { parentId_seasonId: { parentId: parent.id, seasonId: season.id } } });
    const audit = await db.extension.findMany({ orderBy: { applicationId: 'asc' } });
    expect(audit.map((e) => ({ ...e, id: 0 }))).toEqual(
      [apps.due1, apps.due2].map((a) => ({
        id: 0,
        applicationId: a.id,
        seasonId: season.id,
        questionnaireId: questionnaire.id,
        kind: 'EXTEND',
        oldValidUntil: a.validUntil,
        newValidUntil: NEXT,
        channel: 'TELEGRAM',
        createdAt: NOW,
      })),
    );

    expect(await loadQuestionnaireStatus(db, parent.id, season)).toMatchObject({ needExtension: 0 });
    expect((await loadQuestionnaireStatus(db, parent.id, season)).stored).toEqual({
      answers,
      submittedAt: NOW.toISOString(),
      updatedAt: NOW.toISOString(),
      channel: 'TELEGRAM',
      seasonCode: '2025',
    });
    expect((await loadQuestionnaireStatus(db, parent.id, { ...season, id: season.id + 1000 })).stored).toBeNull();
  });

  it('a second submission extends nothing more and replaces the answers', async () => {
    const { db, season, kgs, parent } = await scenario();
    await submitQuestionnaire(db, { parentId: parent.id, season, answers: answersFor([kgs[0], kgs[1]]), channel: 'TELEGRAM', now: NOW });
    const changed = { ...answersFor([kgs[2]]), ownership: 'ANY' as const, ownershipReason: null, sections: [], sectionsOther: null };
    const r = await submitQuestionnaire(db, { parentId: parent.id, season, answers: changed, channel: 'WHATSAPP', now: LATER });
    expect(r).toEqual({ extended: 0, validUntil: NEXT });
    expect(await db.extension.count()).toBe(2);
    expect(await db.questionnaire.count()).toBe(1);
    expect(await db.questionnaireChoice.count()).toBe(1);
    expect((await loadQuestionnaireStatus(db, parent.id, season)).stored).toEqual({
      answers: changed,
      submittedAt: NOW.toISOString(),
      updatedAt: LATER.toISOString(),
      channel: 'WHATSAPP',
      seasonCode: '2025',
    });
  });

  it('rejects a forged kindergarten id and writes nothing', async () => {
    const { db, season, kgs, parent, apps } = await scenario();
    const forged = answersFor([kgs[0]]);
    forged.kindergartens.push({ id: 987_654, number: 1, nameKk: 'x', nameRu: 'x' });
    const attempt = submitQuestionnaire(db, { parentId: parent.id, season, answers: forged, channel: 'TELEGRAM', now: NOW });
    await expect(attempt).rejects.toBeInstanceOf(InvalidAnswersError);
    await expect(attempt).rejects.toMatchObject({ reason: 'unknownKindergarten' });
    expect(await db.questionnaire.count()).toBe(0);
    expect(await db.questionnaireChoice.count()).toBe(0);
    expect(await db.extension.count()).toBe(0);
    expect(await validity(db, [apps.due1.id, apps.due2.id])).toEqual([OLD.toISOString(), '2024-10-01T00:00:00.000Z']);
  });

  it('rejects answers that fail the schema', async () => {
    const { db, season, kgs, parent } = await scenario();
    const cases = [
      { ...answersFor([kgs[0]]), ownership: 'ANY' as const }, // a reason without State/Private
      { ...answersFor([]) },
      { ...answersFor([kgs[0], kgs[0]]) },
      { ...answersFor([kgs[0]]), maxPayment: 12_345 },
      { ...answersFor([kgs[0]]), sectionsOther: null },
    ];
    for (const answers of cases) {
      await expect(submitQuestionnaire(db, { parentId: parent.id, season, answers, channel: 'TELEGRAM', now: NOW })).rejects.toMatchObject({
        name: 'InvalidAnswersError',
        reason: 'schema',
      });
    }
    expect(await db.questionnaire.count()).toBe(0);
  });

  it('rolls everything back when a write fails mid-transaction', async () => {
    const { db, season, kgs, parent, apps } = await scenario();
    await db.$executeRawUnsafe(`CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit refused'; END $$`);
    await db.$executeRawUnsafe(`CREATE TRIGGER refuse_audit BEFORE INSERT ON extensions FOR EACH ROW EXECUTE FUNCTION refuse_audit()`);
    try {
      await expect(submitQuestionnaire(db, { parentId: parent.id, season, answers: answersFor([kgs[0]]), channel: 'TELEGRAM', now: NOW })).rejects.toThrow(
        /audit refused/,
      );
    } finally {
      await db.$executeRawUnsafe('DROP TRIGGER refuse_audit ON extensions');
      await db.$executeRawUnsafe('DROP FUNCTION refuse_audit()');
    }
    expect(await db.questionnaire.count()).toBe(0);
    expect(await db.questionnaireChoice.count()).toBe(0);
    expect(await validity(db, [apps.due1.id, apps.due2.id])).toEqual([OLD.toISOString(), '2024-10-01T00:00:00.000Z']);
  });

  it('joins a caller transaction, and rolls back with it', async () => {
    const { db, season, kgs, parent, apps } = await scenario();
    await expect(
      db.$transaction(async (tx) => {
        const r = await submitQuestionnaire(tx, { parentId: parent.id, season, answers: answersFor([kgs[0]]), channel: 'TELEGRAM', now: NOW });
        expect(r.extended).toBe(2);
        throw new Error('caller gives up');
      }),
    ).rejects.toThrow('caller gives up');
    expect(await db.questionnaire.count()).toBe(0);
    expect(await validity(db, [apps.due1.id])).toEqual([OLD.toISOString()]);
  });

  it('compares validity dates the same whatever the session time zone', async () => {
    const { db, season, kgs, parent } = await scenario();
    const hourShort = await createApplication(db, { parentId: parent.id, validUntil: new Date(NEXT.getTime() - 3_600_000) });
    const r = await db.$transaction(async (tx) => {
      await tx.$executeRawUnsafe(`SET LOCAL timezone = 'Asia/Almaty'`);
      return submitQuestionnaire(tx, { parentId: parent.id, season, answers: answersFor([kgs[0]]), channel: 'TELEGRAM', now: NOW });
    });
    expect(r.extended).toBe(3);
    const audit = await db.extension.findFirstOrThrow({ where: { applicationId: hourShort.id } });
    expect(audit.oldValidUntil).toEqual(hourShort.validUntil);
  });

  it('two simultaneous submissions extend each application once', async () => {
    const { db, season, kgs, parent } = await scenario();
    const results = await Promise.all([
      submitQuestionnaire(db, { parentId: parent.id, season, answers: answersFor([kgs[0]]), channel: 'TELEGRAM', now: NOW }),
      submitQuestionnaire(db, { parentId: parent.id, season, answers: answersFor([kgs[1], kgs[2]]), channel: 'WHATSAPP', now: NOW }),
    ]);
    expect(results.map((r) => r.extended).sort()).toEqual([0, 2]);
    expect(await db.extension.count()).toBe(2);
    expect(await db.questionnaire.count()).toBe(1);
    const { stored } = await loadQuestionnaireStatus(db, parent.id, season);
    expect([1, 2]).toContain(stored!.answers.kindergartens.length);
    expect(await db.questionnaireChoice.count()).toBe(stored!.answers.kindergartens.length);
  });
});

describe.runIf(TEST_DB_KINDS.includes('postgres'))('questionnaire submission racing a purge (postgres)', () => {
  const database = useTestDatabase('postgres');

  it('does not extend or audit an application a concurrent purge moved to the stop-list', async () => {
    const db = database().prisma;
    const season = await createSeason(db, { opensAt: new Date('2025-09-01T00:00:00Z'), validUntil: NEXT });
    const kg = await createKindergarten(db);
    const parent = await createParent(db);
    const app = await createApplication(db, { parentId: parent.id, validUntil: OLD });

    // The purge has updated the row but not yet committed when the parent submits.
    const purge = new pg.Client({ connectionString: database().url });
    await purge.connect();
    try {
      await purge.query('BEGIN');
      await purge.query(`UPDATE applications SET status = 'STOP_LISTED', "stopListedAt" = now() WHERE id = $1`, [app.id]);
      const submitting = submitQuestionnaire(db, { parentId: parent.id, season, answers: answersFor([kg]), channel: 'TELEGRAM', now: NOW });
      // Until the submission waits for the purge's row lock (not a fixed sleep).
      await untilLockWait(purge, 'the submission is not waiting for the lock yet');
      await purge.query('COMMIT');
      expect(await submitting).toEqual({ extended: 0, validUntil: NEXT });
    } finally {
      await purge.end();
    }
    expect(await db.application.findUniqueOrThrow({ where: { id: app.id } })).toMatchObject({ status: 'STOP_LISTED', validUntil: OLD });
    expect(await db.extension.count()).toBe(0);
    expect(await db.questionnaire.count()).toBe(1);
  });
});
