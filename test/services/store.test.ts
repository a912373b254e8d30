import { describe, expect, it } from 'vitest';
import { initialState } from '../../src/conversation/core/state.ts';
import { loadConversation, saveConversation } from '../../src/conversation/runtime/store.ts';
import { TEST_DB_KINDS } from '../../test-support/db.ts';
import { useDatabase } from './use-database.ts';

describe.each(TEST_DB_KINDS)('conversation store (%s)', (kind) => {
  const prisma = useDatabase(kind);
  const edited = () => ({ ...initialState(), seq: 3, locale: 'ru' as const, screen: 'menu' as const, linked: true });

  it('starts a chat with the initial state at version 0', async () => {
    expect(await loadConversation(prisma(), 'TELEGRAM', '42')).toEqual({ state: initialState(), version: 0 });
  });

  it('creates, then updates version by version', async () => {
    expect(await saveConversation(prisma(), 'TELEGRAM', '42', edited(), 0)).toBe(true);
    expect(await loadConversation(prisma(), 'TELEGRAM', '42')).toEqual({ state: edited(), version: 1 });
    const next = { ...edited(), seq: 4, screen: 'help' as const };
    expect(await saveConversation(prisma(), 'TELEGRAM', '42', next, 1)).toBe(true);
    expect(await loadConversation(prisma(), 'TELEGRAM', '42')).toEqual({ state: next, version: 2 });
    // Another channel with the same chat id is another conversation.
    expect((await loadConversation(prisma(), 'WHATSAPP', '42')).version).toBe(0);
  });

  it('refuses a save from a stale version, and a second create', async () => {
    expect(await saveConversation(prisma(), 'TELEGRAM', '42', edited(), 0)).toBe(true);
    expect(await saveConversation(prisma(), 'TELEGRAM', '42', initialState(), 0)).toBe(false);
    expect(await saveConversation(prisma(), 'TELEGRAM', '42', edited(), 1)).toBe(true);
    expect(await saveConversation(prisma(), 'TELEGRAM', '42', initialState(), 1)).toBe(false);
    expect(await saveConversation(prisma(), 'TELEGRAM', '42', initialState(), 7)).toBe(false);
    expect(await loadConversation(prisma(), 'TELEGRAM', '42')).toEqual({ state: edited(), version: 2 });
  });

  it('lets exactly one of simultaneous saves from one version win', async () => {
    await saveConversation(prisma(), 'WHATSAPP', '7', initialState(), 0);
    const results = await Promise.all([1, 2, 3, 4].map((seq) => saveConversation(prisma(), 'WHATSAPP', '7', { ...initialState(), seq }, 1)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const creates = await Promise.all([1, 2, 3].map((seq) => saveConversation(prisma(), 'WHATSAPP', '8', { ...initialState(), seq }, 0)));
    expect(creates.filter(Boolean)).toHaveLength(1);
  });

  it('recovers from a corrupt or outdated stored state', async () => {
    await prisma().conversationState.create({ data: { channel: 'TELEGRAM', chatId: '9', state: { v: 0, screen: 'nowhere' }, version: 5 } });
    expect(await loadConversation(prisma(), 'TELEGRAM', '9')).toEqual({
      state: initialState(),
      version: 5,
      recovery: { kind: 'unreadable', reason: expect.any(String) },
    });
    expect(await saveConversation(prisma(), 'TELEGRAM', '9', edited(), 5)).toBe(true);
    expect(await loadConversation(prisma(), 'TELEGRAM', '9')).toEqual({ state: edited(), version: 6 });

    await prisma().conversationState.create({ data: { channel: 'TELEGRAM', chatId: '10', state: 'just a string' } });
    expect(await loadConversation(prisma(), 'TELEGRAM', '10')).toEqual({
      state: initialState(),
      version: 0,
      recovery: { kind: 'unreadable', reason: expect.any(String) },
    });
    // A row left at the default version 0 is updated, not duplicated.
    expect(await saveConversation(prisma(), 'TELEGRAM', '10', edited(), 0)).toBe(true);
    expect(await loadConversation(prisma(), 'TELEGRAM', '10')).toEqual({ state: edited(), version: 1 });
  });

  it('a conflicting create does not break a surrounding transaction', async () => {
    await saveConversation(prisma(), 'TELEGRAM', '11', initialState(), 0);
    const inside = await prisma().$transaction(async (tx) => {
      const lost = await saveConversation(tx, 'TELEGRAM', '11', edited(), 0);
      const won = await saveConversation(tx, 'TELEGRAM', '12', edited(), 0);
      return { lost, won };
    });
    expect(inside).toEqual({ lost: false, won: true });
    expect((await loadConversation(prisma(), 'TELEGRAM', '12')).version).toBe(1);
  });

  it('marks the update it answers processed in the statement that saves the state, and only when it saves', async () => {
    const inbound = (externalId: string) =>
      prisma().inboundUpdate.create({ data: { channel: 'TELEGRAM', externalId, chatId: '13', payload: { text: '900101300012' } } });
    const row = (externalId: string) => prisma().inboundUpdate.findUniqueOrThrow({ where: { channel_externalId: { channel: 'TELEGRAM', externalId } } });
    await inbound('u1');
    await inbound('u2');
    const at = new Date('2026-11-29T05:00:00.000Z');
    expect(await saveConversation(prisma(), 'TELEGRAM', '13', edited(), 0, { settles: 'u1', now: at })).toBe(true);
    expect(await row('u1')).toMatchObject({ processedAt: at, payload: null });
    // A lost race saves nothing and leaves its update to be processed again.
    expect(await saveConversation(prisma(), 'TELEGRAM', '13', initialState(), 0, { settles: 'u2', now: at })).toBe(false);
    expect(await row('u2')).toMatchObject({ processedAt: null, payload: { text: '900101300012' } });
    expect(await loadConversation(prisma(), 'TELEGRAM', '13')).toEqual({ state: edited(), version: 1 });
    const stored = await prisma().conversationState.findUniqueOrThrow({ where: { channel_chatId: { channel: 'TELEGRAM', chatId: '13' } } });
    expect(stored.updatedAt).toEqual(at);
  });
});
