import { describe, expect, it } from 'vitest';
import { manualClock } from '../../src/clock.ts';
import type { Effect } from '../../src/conversation/core/effects.ts';
import { executeEffect, type EffectContext } from '../../src/conversation/runtime/execute-effect.ts';
import { initialState } from '../../src/conversation/core/state.ts';
import { saveConversation } from '../../src/conversation/runtime/store.ts';
import { InvalidAnswersError } from '../../src/services/questionnaire.ts';
import { TEST_DB_KINDS } from '../../test-support/db.ts';
import { answersFor, createApplication, createKindergarten, createParent, createSeason } from '../helpers/fixtures.ts';
import { useDatabase } from './use-database.ts';

const OLD = new Date('2025-10-01T00:00:00Z');
const NEXT = new Date('2026-10-01T00:00:00Z');
const NOW = new Date('2025-11-10T09:00:00Z');
const config = {
  identification: { maxAttempts: 5, lockMinutes: 60 },
  restorePolicy: { windowDays: null, maxTimes: null, keepRegistrationDate: true },
};

describe.each(TEST_DB_KINDS)('executeEffect (%s)', (kind) => {
  const prisma = useDatabase(kind);
  const ctx = (chatId: string, extra: Partial<EffectContext> = {}): EffectContext => ({
    prisma: prisma(),
    config,
    channel: 'TELEGRAM',
    chatId,
    clock: manualClock(NOW),
    ...extra,
  });

  async function world() {
    const db = prisma();
    const season = await createSeason(db, { code: '2025', opensAt: new Date('2025-09-01T00:00:00Z'), validUntil: NEXT });
    const kg = await createKindergarten(db);
    const parent = await createParent(db);
    const other = await createParent(db);
    const due = await createApplication(db, { parentId: parent.id, validUntil: OLD, kindergartenIds: [kg.id] });
    const mineStopListed = await createApplication(db, { parentId: parent.id, status: 'STOP_LISTED', validUntil: OLD });
    const othersStopListed = await createApplication(db, { parentId: other.id, status: 'STOP_LISTED', validUntil: OLD });
    return { db, season, kg, parent, other, due, mineStopListed, othersStopListed };
  }

  async function link(chatId: string, parent: { phone: string; iin: string }) {
    const r = await executeEffect(ctx(chatId, { locale: 'ru' }), { type: 'verifyIin', phone: parent.phone, iin: parent.iin });
    expect(r).toMatchObject({ type: 'iinVerified', outcome: 'ok' });
  }

  it('answers notLinked to every parent effect of an unlinked chat, and changes nothing', async () => {
    const w = await world();
    const effects: Effect[] = [
      { type: 'loadApplications' },
      { type: 'loadQuestionnaireContext' },
      { type: 'submitQuestionnaire', answers: answersFor([w.kg]) },
      { type: 'loadStopListed' },
      { type: 'restoreApplication', applicationId: w.mineStopListed.id },
    ];
    for (const effect of effects) expect(await executeEffect(ctx('stranger'), effect)).toEqual({ type: 'notLinked' });
    expect(await w.db.questionnaire.count()).toBe(0);
    expect(await w.db.extension.count()).toBe(0);
    expect((await w.db.application.findUniqueOrThrow({ where: { id: w.mineStopListed.id } })).status).toBe('STOP_LISTED');
    expect((await w.db.application.findUniqueOrThrow({ where: { id: w.due.id } })).validUntil).toEqual(OLD);
  });

  it('identifies, links with the conversation language, and serves the linked parent', async () => {
    const w = await world();
    expect(await executeEffect(ctx('c1'), { type: 'identifyPhone', phone: w.parent.phone })).toEqual({
      type: 'phoneIdentified',
      found: true,
      lockedUntil: null,
    });
    expect(await executeEffect(ctx('c1'), { type: 'verifyIin', phone: w.parent.phone, iin: w.other.iin })).toEqual({
      type: 'iinVerified',
      outcome: 'mismatch',
      attemptsLeft: 4,
      lockedUntil: null,
    });
    await saveConversation(w.db, 'TELEGRAM', 'c1', { ...initialState(), locale: 'ru' }, 0);
    expect(await executeEffect(ctx('c1'), { type: 'verifyIin', phone: w.parent.phone, iin: w.parent.iin })).toEqual({
      type: 'iinVerified',
      outcome: 'ok',
      attemptsLeft: 4,
      lockedUntil: null,
    });
    expect((await w.db.chatLink.findFirstOrThrow({ where: { chatId: 'c1' } })).locale).toBe('ru');

    const apps = await executeEffect(ctx('c1'), { type: 'loadApplications' });
    expect(apps).toMatchObject({
      type: 'applicationsLoaded',
      season: { code: '2025', validUntil: NEXT.toISOString() },
      items: [
        { id: w.due.id, needsExtension: true },
        { id: w.mineStopListed.id, status: 'STOP_LISTED' },
      ],
    });

    expect(await executeEffect(ctx('c1'), { type: 'loadQuestionnaireContext' })).toMatchObject({
      type: 'questionnaireContextLoaded',
      stored: null,
      needExtension: 1,
      season: { code: '2025' },
    });
    expect(await executeEffect(ctx('c1'), { type: 'submitQuestionnaire', answers: answersFor([w.kg]) })).toEqual({
      type: 'questionnaireSubmitted',
      extended: 1,
      validUntil: NEXT.toISOString(),
    });
    expect(await executeEffect(ctx('c1'), { type: 'loadQuestionnaireContext' })).toMatchObject({
      stored: { answers: answersFor([w.kg]), channel: 'TELEGRAM', submittedAt: NOW.toISOString() },
      needExtension: 0,
    });
    expect(await executeEffect(ctx('c1'), { type: 'loadStopListed' })).toMatchObject({
      type: 'stopListedLoaded',
      items: [{ id: w.mineStopListed.id }],
      questionnaireFilled: true,
    });
    expect(await executeEffect(ctx('c1'), { type: 'restoreApplication', applicationId: w.mineStopListed.id })).toEqual({
      type: 'restoreResult',
      outcome: 'restored',
      validUntil: NEXT.toISOString(),
    });
  });

  it("never restores another parent's application", async () => {
    const w = await world();
    await link('c1', w.parent);
    await w.db.questionnaire.deleteMany();
    await executeEffect(ctx('c1'), { type: 'submitQuestionnaire', answers: answersFor([w.kg]) });
    expect(await executeEffect(ctx('c1'), { type: 'restoreApplication', applicationId: w.othersStopListed.id })).toEqual({
      type: 'restoreResult',
      outcome: 'notFound',
      validUntil: null,
    });
    const theirs = await w.db.application.findUniqueOrThrow({ where: { id: w.othersStopListed.id } });
    expect(theirs).toMatchObject({ status: 'STOP_LISTED', restoreCount: 0, validUntil: OLD, restoredAt: null });
    expect(await w.db.extension.count({ where: { applicationId: w.othersStopListed.id } })).toBe(0);
  });

  it('acts for the parent the chat is linked to now, whatever the chat did before', async () => {
    const w = await world();
    await link('c1', w.parent);
    await link('c1', w.other); // relinked
    expect(await executeEffect(ctx('c1'), { type: 'loadStopListed' })).toMatchObject({ items: [{ id: w.othersStopListed.id }], questionnaireFilled: false });
  });

  it('throws InvalidAnswersError for a forged kindergarten and writes nothing', async () => {
    const w = await world();
    await link('c1', w.parent);
    const forged = { ...answersFor([w.kg]), kindergartens: [{ id: w.kg.id + 1000, number: 1, nameKk: 'x', nameRu: 'x' }] };
    await expect(executeEffect(ctx('c1'), { type: 'submitQuestionnaire', answers: forged })).rejects.toBeInstanceOf(InvalidAnswersError);
    expect(await w.db.questionnaire.count()).toBe(0);
  });

  it('serves the public effects to anyone', async () => {
    const w = await world();
    expect(await executeEffect(ctx('x'), { type: 'loadSeason' })).toEqual({
      type: 'seasonLoaded',
      season: { code: '2025', opensAt: '2025-09-01T00:00:00.000Z', deadline: w.season.deadline.toISOString(), validUntil: NEXT.toISOString() },
    });
    const found = await executeEffect(ctx('x'), { type: 'searchKindergartens', query: String(w.kg.number), near: null, page: 0, pageSize: 5 });
    expect(found).toMatchObject({ type: 'kindergartensFound', total: 1, page: 0, items: [{ id: w.kg.id, demand: 1 }] });
    const early = ctx('x', { clock: manualClock(new Date('2025-01-01T00:00:00Z')) });
    expect(await executeEffect(early, { type: 'loadSeason' })).toEqual({ type: 'seasonLoaded', season: null });
  });

  it('without a season: nothing to extend, nothing stored, restore answers noSeason', async () => {
    const w = await world();
    await link('c1', w.parent);
    const early = ctx('c1', { clock: manualClock(new Date('2025-08-01T00:00:00Z')) });
    expect(await executeEffect(early, { type: 'submitQuestionnaire', answers: answersFor([w.kg]) })).toEqual({
      type: 'questionnaireSubmitted',
      extended: 0,
      validUntil: null,
    });
    expect(await w.db.questionnaire.count()).toBe(0);
    expect(await executeEffect(early, { type: 'restoreApplication', applicationId: w.mineStopListed.id })).toMatchObject({ outcome: 'noSeason' });
    expect(await executeEffect(early, { type: 'loadQuestionnaireContext' })).toEqual({
      type: 'questionnaireContextLoaded',
      season: null,
      stored: null,
      needExtension: 0,
    });
  });

  it('setLocale changes the link and the parent, and answers nothing', async () => {
    const w = await world();
    expect(await executeEffect(ctx('c1'), { type: 'setLocale', locale: 'kk' })).toBeNull(); // unlinked: no-op
    await link('c1', w.parent);
    expect(await executeEffect(ctx('c1'), { type: 'setLocale', locale: 'kk' })).toBeNull();
    expect((await w.db.chatLink.findFirstOrThrow({ where: { chatId: 'c1' } })).locale).toBe('kk');
    expect((await w.db.parent.findUniqueOrThrow({ where: { id: w.parent.id } })).locale).toBe('kk');
  });
});
