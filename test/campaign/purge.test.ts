import { describe, expect, it } from 'vitest';
import { purgeDryRun, PurgeRefusedError, runPurge } from '../../src/campaign/purge.ts';
import { SeasonError, setSeason } from '../../src/campaign/seasons.ts';
import type { RestorePolicy } from '../../src/config/env.ts';
import { submitQuestionnaire } from '../../src/services/questionnaire.ts';
import { restoreApplication } from '../../src/services/restore.ts';
import { TEST_DB_KINDS } from '../../test-support/db.ts';
import { answersFor, createApplication, createKindergarten, createParent } from '../helpers/fixtures.ts';
import { useDatabase } from '../services/use-database.ts';
import { almaty, createCampaignSeason, linkChat, OLD_VALIDITY, parentWith } from './support.ts';

const ANY_TIME: RestorePolicy = { windowDays: null, maxTimes: null, keepRegistrationDate: true };
/** The deadline at midnight: parents have all of 25 December. */
const DEADLINE = almaty('2026-12-26 00:00');

describe.each(TEST_DB_KINDS)('purge (%s)', (kind) => {
  const prisma = useDatabase(kind);

  async function world() {
    const db = prisma();
    const season = await createCampaignSeason(db, { deadline: DEADLINE });
    const kg = await createKindergarten(db);
    const late = await parentWith(db, { needing: 2, extended: 1 }); // two lapse, one is safe
    const tg = await linkChat(db, late.parent.id, { channel: 'TELEGRAM' });
    const wa = await linkChat(db, late.parent.id, { channel: 'WHATSAPP', locale: 'kk' });
    const blocked = await parentWith(db, { needing: 1 });
    await linkChat(db, blocked.parent.id, { unreachableAt: almaty('2026-12-01 10:00') });
    const unlinked = await parentWith(db, { needing: 1 });
    const diligent = await parentWith(db, { needing: 0, extended: 2 });
    await linkChat(db, diligent.parent.id);
    // valid past the deadline (registered mid-year): may extend, but did not lapse
    const recent = await createParent(db);
    await createApplication(db, { parentId: recent.id, validUntil: almaty('2027-06-01 00:00') });
    await linkChat(db, recent.id);
    const enrolled = await createParent(db);
    await createApplication(db, { parentId: enrolled.id, status: 'ENROLLED', validUntil: OLD_VALIDITY });
    return { db, season, kg, late, tg, wa, blocked, unlinked, diligent, recent };
  }

  it('refused at 23:59:59 on the last day, done at 00:00:00 Almaty', async () => {
    const { db, season } = await world();
    await expect(runPurge(db, { season, now: almaty('2026-12-25 23:59:59') })).rejects.toThrow(PurgeRefusedError);
    await expect(runPurge(db, { season, now: new Date(DEADLINE.getTime() - 1) })).rejects.toThrow(/2026-12-26 00:00:00/);
    expect(await db.purgeRun.count()).toBe(0);
    expect(await db.application.count({ where: { status: 'STOP_LISTED' } })).toBe(0);

    const result = await runPurge(db, { season, now: almaty('2026-12-26 00:00:00') });
    expect(result).toEqual({ purgeRunId: expect.any(Number), count: 4, notices: 2 });
  });

  it('moves exactly what the dry run counted, records the run, stamps the applications', async () => {
    const { db, season, late, blocked, unlinked } = await world();
    const now = almaty('2026-12-26 00:00:30');
    expect(await purgeDryRun(db, season, now)).toEqual({ count: 4, parents: 3 });
    const result = await runPurge(db, { season, now });
    expect(result.count).toBe(4);
    const moved = await db.application.findMany({ where: { status: 'STOP_LISTED' }, orderBy: { id: 'asc' } });
    const lapsed = [...late.applications.slice(0, 2), ...blocked.applications, ...unlinked.applications].map((a) => a.id).sort((x, y) => x - y);
    expect(moved.map((a) => a.id)).toEqual(lapsed);
    for (const a of moved) expect(a).toMatchObject({ stopListedAt: now, purgeRunId: result.purgeRunId });
    expect(await db.purgeRun.findMany()).toEqual([expect.objectContaining({ id: result.purgeRunId, seasonId: season.id, count: 4, startedAt: now })]);
    expect(await purgeDryRun(db, season, now)).toEqual({ count: 0, parents: 0 });
  });

  it('one stop-list notice per reachable linked chat of each affected parent, with the queue numbers', async () => {
    const { db, season, late, tg, wa } = await world();
    const now = almaty('2026-12-26 00:00');
    const { purgeRunId } = await runPurge(db, { season, now });
    const notices = await db.outbox.findMany({ orderBy: { chatId: 'asc' } });
    expect(notices.map((n) => n.dedupeKey).sort()).toEqual(
      [`stoplist:${season.id}:TELEGRAM:${tg.chatId}`, `stoplist:${season.id}:WHATSAPP:${wa.chatId}`].sort(),
    );
    const numbers = late.applications
      .slice(0, 2)
      .map((a) => a.queueNumber)
      .sort((x, y) => x - y);
    for (const n of notices) {
      expect(n).toMatchObject({ kind: 'STOPLIST_NOTICE', parentId: late.parent.id, seasonId: season.id, status: 'PENDING', offsetDays: null });
      expect(n.payload).toEqual({ purgeRunId, queueNumbers: numbers, stopListedAt: now.toISOString() });
    }
  });

  it('is idempotent: the second run changes nothing and records nothing', async () => {
    const { db, season } = await world();
    const first = await runPurge(db, { season, now: DEADLINE });
    const snapshot = await db.application.findMany({ orderBy: { id: 'asc' } });
    const second = await runPurge(db, { season, now: almaty('2026-12-26 00:01') });
    expect(second).toEqual({ purgeRunId: null, count: 0, notices: 0 });
    expect(await db.application.findMany({ orderBy: { id: 'asc' } })).toEqual(snapshot);
    expect(await db.purgeRun.count()).toBe(1);
    expect(await db.outbox.count()).toBe(first.notices);
  });

  it('two purges at once: one moves everything, the other nothing', async () => {
    const { db, season } = await world();
    const [a, b] = await Promise.all([runPurge(db, { season, now: DEADLINE }), runPurge(db, { season, now: DEADLINE })]);
    expect([a.count, b.count].sort()).toEqual([0, 4]);
    expect(await db.purgeRun.count()).toBe(1);
    expect(await db.outbox.count()).toBe(2);
  });

  it('a first run with nothing to move is still recorded, so the season counts as purged', async () => {
    const db = prisma();
    const season = await createCampaignSeason(db, { deadline: DEADLINE });
    await parentWith(db, { needing: 0, extended: 1 });
    expect(await runPurge(db, { season, now: DEADLINE })).toEqual({ purgeRunId: expect.any(Number), count: 0, notices: 0 });
    expect(await runPurge(db, { season, now: DEADLINE })).toEqual({ purgeRunId: null, count: 0, notices: 0 });
    expect(await db.purgeRun.count()).toBe(1);
  });

  it('an operator may force it before the deadline', async () => {
    const { db, season } = await world();
    expect((await runPurge(db, { season, now: almaty('2026-12-20 12:00'), force: true })).count).toBe(4);
  });

  it('after the purge the season dates it acted on are fixed', async () => {
    const { db, season } = await world();
    await runPurge(db, { season, now: DEADLINE });
    const same = { code: season.code, opensAt: season.opensAt, deadline: season.deadline, validUntil: season.validUntil };
    await expect(setSeason(db, { ...same, deadline: almaty('2026-12-31 00:00') })).rejects.toThrow(SeasonError);
    await expect(setSeason(db, { ...same, validUntil: almaty('2028-01-01 00:00') })).rejects.toThrow(/already purged/);
    expect((await setSeason(db, { ...same, opensAt: almaty('2026-09-25 10:00') })).created).toBe(false);
  });

  it('restore after the purge works and the application stays restored on a second purge', async () => {
    const { db, season, kg, late } = await world();
    await runPurge(db, { season, now: DEADLINE });
    const application = late.applications[0]!;
    const now = almaty('2026-12-27 11:00');
    const before = await restoreApplication(db, ANY_TIME, { parentId: late.parent.id, applicationId: application.id, season, channel: 'TELEGRAM', now });
    expect(before.outcome).toBe('needsQuestionnaire');
    await submitQuestionnaire(db, { parentId: late.parent.id, season, answers: answersFor([kg]), channel: 'TELEGRAM', now });
    const restored = await restoreApplication(db, ANY_TIME, { parentId: late.parent.id, applicationId: application.id, season, channel: 'TELEGRAM', now });
    expect(restored).toEqual({ outcome: 'restored', validUntil: season.validUntil });
    expect(await db.application.findUniqueOrThrow({ where: { id: application.id } })).toMatchObject({
      status: 'ACTIVE',
      validUntil: season.validUntil,
      restoreCount: 1,
    });
    expect(await runPurge(db, { season, now: almaty('2026-12-28 00:00') })).toMatchObject({ count: 0, purgeRunId: null });
  });
});
