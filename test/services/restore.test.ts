import { describe, expect, it } from 'vitest';
import type { RestorePolicy } from '../../src/config/env.ts';
import { listStopListed, restoreApplication, restoreRefusal } from '../../src/services/restore.ts';
import { submitQuestionnaire } from '../../src/services/questionnaire.ts';
import { TEST_DB_KINDS } from '../../test-support/db.ts';
import { answersFor, createApplication, createKindergarten, createParent, createSeason } from '../helpers/fixtures.ts';
import { useDatabase } from './use-database.ts';

const DAY = 86_400_000;
const OLD = new Date('2025-10-01T00:00:00Z');
const NEXT = new Date('2026-10-01T00:00:00Z');
const STOP_LISTED_AT = new Date('2025-11-01T00:00:00Z');
const REGISTERED = new Date('2022-02-02T04:00:00Z');
const NOW = new Date(STOP_LISTED_AT.getTime() + 10 * DAY);
const ANY_TIME: RestorePolicy = { windowDays: null, maxTimes: null, keepRegistrationDate: true };

describe('restore policy', () => {
  const app = { stopListedAt: STOP_LISTED_AT, restoreCount: 0 };
  it('allows any time and any number of times by default', () => {
    expect(restoreRefusal(ANY_TIME, { stopListedAt: STOP_LISTED_AT, restoreCount: 40 }, new Date(STOP_LISTED_AT.getTime() + 3000 * DAY))).toBeNull();
  });
  it('refuses after the window, inclusive of its last instant', () => {
    const policy = { ...ANY_TIME, windowDays: 28 };
    expect(restoreRefusal(policy, app, new Date(STOP_LISTED_AT.getTime() + 28 * DAY))).toBeNull();
    expect(restoreRefusal(policy, app, new Date(STOP_LISTED_AT.getTime() + 28 * DAY + 1))).toBe('window');
  });
  it('refuses once restored the allowed number of times', () => {
    const policy = { ...ANY_TIME, maxTimes: 1 };
    expect(restoreRefusal(policy, app, NOW)).toBeNull();
    expect(restoreRefusal(policy, { ...app, restoreCount: 1 }, NOW)).toBe('times');
  });
});

describe.each(TEST_DB_KINDS)('restore (%s)', (kind) => {
  const prisma = useDatabase(kind);

  async function scenario(opts: { questionnaire?: boolean; restoreCount?: number } = {}) {
    const db = prisma();
    const previous = await createSeason(db, { opensAt: new Date('2024-09-01T00:00:00Z'), validUntil: OLD });
    const season = await createSeason(db, { opensAt: new Date('2025-09-01T00:00:00Z'), validUntil: NEXT });
    const kg = await createKindergarten(db);
    const parent = await createParent(db);
    const other = await createParent(db);
    const stopListed = await createApplication(db, {
      parentId: parent.id,
      status: 'STOP_LISTED',
      validUntil: OLD,
      stopListedAt: STOP_LISTED_AT,
      registeredAt: REGISTERED,
      restoreCount: opts.restoreCount ?? 0,
    });
    const active = await createApplication(db, { parentId: parent.id, validUntil: NEXT });
    const othersStopListed = await createApplication(db, {
      parentId: other.id,
      status: 'STOP_LISTED',
      validUntil: OLD,
      stopListedAt: STOP_LISTED_AT,
    });
    // Last season's questionnaire never counts for this season.
    await submitQuestionnaire(db, {
      parentId: parent.id,
      season: previous,
      answers: answersFor([kg]),
      channel: 'TELEGRAM',
      now: new Date('2024-09-10T00:00:00Z'),
    });
    await submitQuestionnaire(db, { parentId: other.id, season, answers: answersFor([kg]), channel: 'TELEGRAM', now: new Date('2025-09-10T00:00:00Z') });
    if (opts.questionnaire ?? true) {
      await submitQuestionnaire(db, { parentId: parent.id, season, answers: answersFor([kg]), channel: 'TELEGRAM', now: new Date('2025-09-10T00:00:00Z') });
    }
    await db.extension.deleteMany();
    return { db, season, parent, other, stopListed, active, othersStopListed };
  }

  const restore = (s: Awaited<ReturnType<typeof scenario>>, applicationId: number, policy = ANY_TIME, now = NOW) =>
    restoreApplication(s.db, policy, { parentId: s.parent.id, applicationId, season: s.season, channel: 'WHATSAPP', now });

  it('lists only the parent’s stop-listed applications', async () => {
    const s = await scenario();
    const items = await listStopListed(s.db, s.parent.id, s.season);
    expect(items.map((a) => a.id)).toEqual([s.stopListed.id]);
    expect(items[0]).toMatchObject({ status: 'STOP_LISTED', stopListedAt: STOP_LISTED_AT.toISOString(), needsExtension: false });
  });

  it('restores: back to the queue until the season validity, original date kept, audited', async () => {
    const s = await scenario();
    expect(await restore(s, s.stopListed.id)).toEqual({ outcome: 'restored', validUntil: NEXT });
    const after = await s.db.application.findUniqueOrThrow({ where: { id: s.stopListed.id } });
    expect(after).toMatchObject({ status: 'ACTIVE', restoredAt: NOW, restoreCount: 1, validUntil: NEXT, registeredAt: REGISTERED });
    const questionnaire = await s.db.questionnaire.findUniqueOrThrow({
      where: { parentId_seasonId: { parentId: s.parent.id, seasonId: s.season.id } },
    });
    const audit = await s.db.extension.findMany();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      applicationId: s.stopListed.id,
      seasonId: s.season.id,
      questionnaireId: questionnaire.id,
      kind: 'RESTORE',
      oldValidUntil: OLD,
      newValidUntil: NEXT,
      channel: 'WHATSAPP',
      createdAt: NOW,
    });
    // Restored once: a second request finds nothing to restore.
    expect(await restore(s, s.stopListed.id)).toEqual({ outcome: 'notFound', validUntil: null });
  });

  it('re-registers on the restore date when the policy says so', async () => {
    const s = await scenario();
    await restore(s, s.stopListed.id, { ...ANY_TIME, keepRegistrationDate: false });
    expect((await s.db.application.findUniqueOrThrow({ where: { id: s.stopListed.id } })).registeredAt).toEqual(NOW);
  });

  it('answers notFound alike for another parent’s, an active and an unknown application', async () => {
    const s = await scenario();
    for (const id of [s.othersStopListed.id, s.active.id, 999_999, -5, 2 ** 33]) {
      expect(await restore(s, id)).toEqual({ outcome: 'notFound', validUntil: null });
    }
    expect((await s.db.application.findUniqueOrThrow({ where: { id: s.othersStopListed.id } })).status).toBe('STOP_LISTED');
    expect(await s.db.extension.count()).toBe(0);
  });

  it('needs this season’s questionnaire', async () => {
    const s = await scenario({ questionnaire: false });
    expect(await restore(s, s.stopListed.id)).toEqual({ outcome: 'needsQuestionnaire', validUntil: null });
    expect((await s.db.application.findUniqueOrThrow({ where: { id: s.stopListed.id } })).status).toBe('STOP_LISTED');
  });

  it('needs a season', async () => {
    const s = await scenario();
    const r = await restoreApplication(s.db, ANY_TIME, { parentId: s.parent.id, applicationId: s.stopListed.id, season: null, channel: 'TELEGRAM', now: NOW });
    expect(r).toEqual({ outcome: 'noSeason', validUntil: null });
  });

  it('applies the window and the limit of the policy', async () => {
    const s = await scenario();
    const windowed = { ...ANY_TIME, windowDays: 28 };
    expect(await restore(s, s.stopListed.id, windowed, new Date(STOP_LISTED_AT.getTime() + 29 * DAY))).toEqual({
      outcome: 'notAllowed',
      validUntil: null,
    });
    expect((await restore(s, s.stopListed.id, windowed, new Date(STOP_LISTED_AT.getTime() + 27 * DAY))).outcome).toBe('restored');

    const limited = await scenario({ restoreCount: 1 });
    expect(await restore(limited, limited.stopListed.id, { ...ANY_TIME, maxTimes: 1 })).toEqual({ outcome: 'notAllowed', validUntil: null });
    expect((await restore(limited, limited.stopListed.id, { ...ANY_TIME, maxTimes: 2 })).outcome).toBe('restored');
  });

  it('refuses by policy before asking for the questionnaire', async () => {
    const s = await scenario({ questionnaire: false, restoreCount: 3 });
    expect((await restore(s, s.stopListed.id, { ...ANY_TIME, maxTimes: 3 })).outcome).toBe('notAllowed');
  });

  it('two simultaneous restores of one application restore it once', async () => {
    const s = await scenario();
    const results = await Promise.all([restore(s, s.stopListed.id), restore(s, s.stopListed.id), restore(s, s.stopListed.id)]);
    expect(results.map((r) => r.outcome).sort()).toEqual(['notFound', 'notFound', 'restored']);
    expect((await s.db.application.findUniqueOrThrow({ where: { id: s.stopListed.id } })).restoreCount).toBe(1);
    expect(await s.db.extension.count()).toBe(1);
  });
});
