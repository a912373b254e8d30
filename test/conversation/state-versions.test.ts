/**
 * Conversations stored by an earlier release keep going: the v1 states in test/fixtures/states
 * were saved by the release before the state was versioned (captured from its own state machine),
 * and load as the current shape — linked, in the middle of the questionnaire, answers kept.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { manualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config/env.ts';
import { ConversationRuntime, type ChatRef } from '../../src/conversation/runtime/runtime.ts';
import { conversationStateSchema, STATE_VERSION } from '../../src/conversation/core/state.ts';
import { upgradeState } from '../../src/conversation/core/state-versions.ts';
import { loadConversation, stateRecoveries, toLoaded } from '../../src/conversation/runtime/store.ts';
import { createLogger } from '../../src/log.ts';
import { TEST_DB_KINDS } from '../../test-support/db.ts';
import { createApplication, createKindergarten, createParent, createSeason } from '../helpers/fixtures.ts';
import { useDatabase } from '../services/use-database.ts';
import { drive, lastMessage } from './drive.ts';
import { World } from './world.ts';

const DIR = path.resolve('test/fixtures/states');
const fixture = (name: string): unknown => JSON.parse(readFileSync(path.join(DIR, `v1-${name}.json`), 'utf8'));

describe('stored states of earlier releases', () => {
  it('every v1 state of the fixtures loads as the current version, nothing lost', () => {
    const files = readdirSync(DIR).filter((f) => f.startsWith('v1-'));
    expect(files.length).toBeGreaterThanOrEqual(7);
    for (const f of files) {
      const raw = JSON.parse(readFileSync(path.join(DIR, f), 'utf8')) as Record<string, unknown>;
      const loaded = toLoaded({ state: raw, version: 9 });
      expect(loaded.recovery, f).toEqual({ kind: 'upgraded', from: 1 });
      expect(loaded.version).toBe(9);
      const s = loaded.state;
      expect(s.v).toBe(STATE_VERSION);
      // What the parent had is all still there.
      for (const key of ['locale', 'screen', 'phone', 'linked', 'draft', 'editing', 'kg', 'needExtension', 'restore', 'render']) {
        expect(s[key as keyof typeof s], `${f}: ${key}`).toEqual(raw[key]);
      }
    }
  });

  it('in the middle of question 5: linked, answers and the Other text kept, and the parent goes on to question 6', () => {
    const before = toLoaded({ state: fixture('q5WithOther'), version: 3 });
    expect(before.state).toMatchObject({ linked: true, screen: 'q5', questionAt: 'q5', locale: 'kk' });
    expect(before.state.draft).toMatchObject({ sections: ['football', 'other'], sectionsOther: 'Бассейн', maxPayment: 40000 });
    const world = new World();
    const done = drive(before.state, { type: 'action', seq: before.state.seq, action: { type: 'done' } }, world.resolve);
    expect(done.state.screen).toBe('q6');
    expect(done.state.draft.sectionsDone).toBe(true);
  });

  it('a questionnaire left on question 1 with a kindergarten ticked resumes on question 1, the tick kept', () => {
    const { state } = toLoaded({ state: fixture('q1OneTicked'), version: 1 });
    const world = new World();
    const menu = drive(state, { type: 'command', name: 'menu' }, world.resolve);
    const resumed = drive(menu.state, { type: 'command', name: 'extend' }, world.resolve);
    expect(resumed.state.screen).toBe('q1');
    expect(resumed.state.draft.kindergartens.map((k) => k.id)).toEqual([100]);
  });

  it('a v1 stop-list: its buttons (which named any application) are stale, and the list is drawn again', () => {
    const raw = fixture('stopList') as { seq: number };
    const { state } = toLoaded({ state: raw, version: 1 });
    expect(state.seq).toBe(raw.seq + 1);
    const world = new World();
    const r = drive(state, { type: 'action', seq: raw.seq, action: { type: 'choose', value: 'a77_5005' } }, world.resolve);
    expect(r.outputs[0]).toEqual({ kind: 'notice', text: { key: 'common.stale' } });
    expect(r.state.stopList).toEqual([{ id: 77, queueNumber: 5005 }]);
    // The list drawn now works.
    const chosen = drive(r.state, { type: 'action', seq: r.state.seq, action: { type: 'choose', value: 'a77' } }, world.resolve);
    expect(chosen.state.screen).toBe('restoreConfirm');
    expect(lastMessage(chosen).body[0]).toEqual({ key: 'restore.confirm', params: { queueNumber: 5005 } });
  });

  it('a corrupt state starts over and is counted; a state of a newer release is not read', () => {
    const unreadable = stateRecoveries.unreadable;
    const corrupt = toLoaded({ state: { v: 1, seq: 'x' }, version: 4 });
    expect(corrupt.recovery?.kind).toBe('unreadable');
    expect(corrupt.state.screen).toBe('language');
    expect(stateRecoveries.unreadable).toBe(unreadable + 1);
    expect(toLoaded({ state: { hello: 1 }, version: 1 }).recovery?.kind).toBe('unreadable');
    expect(toLoaded({ state: { v: STATE_VERSION + 1 }, version: 2 }).recovery).toEqual({ kind: 'newer', version: STATE_VERSION + 1 });
    expect(upgradeState(null)).toEqual({ kind: 'unversioned' });
  });
});

describe.each(TEST_DB_KINDS)('stored states of earlier releases on %s', (kind) => {
  const prisma = useDatabase(kind);
  const runtime = () =>
    new ConversationRuntime({ prisma: prisma(), config: loadConfig({}), clock: manualClock(new Date('2026-11-25T06:00:00Z')), logger: createLogger('silent') });

  it('a v1 conversation saved by the previous release is answered and saved as the current version', async () => {
    const chat: ChatRef = { channel: 'TELEGRAM', chatId: '5151' };
    const parent = await createParent(prisma());
    await createSeason(prisma(), {
      opensAt: new Date('2026-11-18T00:00:00Z'),
      deadline: new Date('2026-12-25T18:59:59Z'),
      validUntil: new Date('2027-12-25T18:59:59Z'),
    });
    await createKindergarten(prisma());
    await createApplication(prisma(), { parentId: parent.id, validUntil: new Date('2026-12-25T18:59:59Z') });
    await prisma().chatLink.create({ data: { channel: chat.channel, chatId: chat.chatId, parentId: parent.id, locale: 'kk' } });
    // As the previous release stored it: the raw JSON, no version field of its own.
    await prisma().conversationState.create({ data: { channel: chat.channel, chatId: chat.chatId, state: fixture('q5WithOther') as object, version: 5 } });
    const seq = (fixture('q5WithOther') as { seq: number }).seq;
    const reply = await runtime().handle(chat, { type: 'action', seq, action: { type: 'toggle', value: 'chess', on: true } });
    expect(reply.outputs.some((o) => o.kind === 'notice')).toBe(false);
    const stored = await prisma().conversationState.findUniqueOrThrow({ where: { channel_chatId: chat } });
    expect((stored.state as { v: number }).v).toBe(STATE_VERSION);
    expect(stored.version).toBe(6);
    const { state } = await loadConversation(prisma(), chat.channel, chat.chatId);
    conversationStateSchema.parse(state);
    expect(state.linked).toBe(true);
    expect(state.draft.sections).toEqual(['football', 'other', 'chess']);
  });

  it('a state saved by a newer release is neither processed nor overwritten', async () => {
    const chat: ChatRef = { channel: 'WHATSAPP', chatId: '77010005151' };
    const future = { v: STATE_VERSION + 1, somethingNew: true };
    await prisma().conversationState.create({ data: { channel: chat.channel, chatId: chat.chatId, state: future, version: 2 } });
    const reply = await runtime().handle(chat, { type: 'text', text: 'Сәлем' });
    expect(reply.outputs).toEqual([{ kind: 'notice', text: { key: 'common.busy' } }]);
    const stored = await prisma().conversationState.findUniqueOrThrow({ where: { channel_chatId: chat } });
    expect(stored).toMatchObject({ state: future, version: 2 });
  });
});
