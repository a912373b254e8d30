/**
 * The runtime against the real databases: concurrent updates of one chat never lose an answer,
 * and a failing effect leaves the conversation where it was.
 */
import { describe, expect, it } from 'vitest';
import { manualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config/env.ts';
import { ConversationRuntime, type ChatRef } from '../../src/conversation/runtime/runtime.ts';
import { conversationStateSchema, initialState } from '../../src/conversation/core/state.ts';
import { saveConversation, loadConversation } from '../../src/conversation/runtime/store.ts';
import { createLogger } from '../../src/log.ts';
import { TEST_DB_KINDS } from '../../test-support/db.ts';
import { useDatabase } from '../services/use-database.ts';
import { createApplication, createKindergarten, createParent, createSeason } from '../helpers/fixtures.ts';

const NOW = new Date('2026-11-25T06:00:00.000Z');

describe.each(TEST_DB_KINDS)('conversation runtime on %s', (kind) => {
  const prisma = useDatabase(kind);

  async function linkedOnQuestion5(chat: ChatRef) {
    const parent = await createParent(prisma());
    await createSeason(prisma(), {
      opensAt: new Date('2026-11-18T00:00:00Z'),
      deadline: new Date('2026-12-25T18:59:59Z'),
      validUntil: new Date('2027-12-25T18:59:59Z'),
    });
    const kg = await createKindergarten(prisma());
    await createApplication(prisma(), { parentId: parent.id, validUntil: new Date('2026-12-25T18:59:59Z') });
    await prisma().chatLink.create({ data: { channel: chat.channel, chatId: chat.chatId, parentId: parent.id, locale: 'ru' } });
    const state = {
      ...initialState(),
      seq: 7,
      locale: 'ru' as const,
      linked: true,
      screen: 'q5' as const,
      draft: {
        ...initialState().draft,
        kindergartens: [{ id: kg.id, number: kg.number, nameKk: kg.nameKk, nameRu: kg.nameRu }],
        ownership: 'ANY' as const,
        language: 'RU' as const,
        maxPayment: 20000,
      },
    };
    expect(await saveConversation(prisma(), chat.channel, chat.chatId, state, 0)).toBe(true);
  }

  const runtime = () => new ConversationRuntime({ prisma: prisma(), config: loadConfig({}), clock: manualClock(NOW), logger: createLogger('silent') });

  it('applies every one of many simultaneous answers of one chat', async () => {
    const chat: ChatRef = { channel: 'TELEGRAM', chatId: '4242' };
    await linkedOnQuestion5(chat);
    const sections = ['football', 'chess', 'drawing', 'karate', 'astronomy', 'basketball'];
    // Separate runtimes stand for separate instances behind a load balancer.
    const replies = await Promise.all(sections.map((value) => runtime().handle(chat, { type: 'action', seq: 7, action: { type: 'toggle', value, on: true } })));
    const { state, version } = await loadConversation(prisma(), chat.channel, chat.chatId);
    // Every answer is either stored or its sender is told to try again — never silently dropped.
    const refused = sections.filter((_, i) => replies[i]!.outputs.some((o) => o.kind === 'notice' && o.text.key === 'common.busy'));
    expect([...state.draft.sections].sort()).toEqual(sections.filter((s) => !refused.includes(s)).sort());
    expect(version).toBe(1 + sections.length - refused.length);
    expect(refused).toEqual([]);
    conversationStateSchema.parse(state);
  });

  it('a failing effect leaves the state as it was and answers with the error text', async () => {
    const chat: ChatRef = { channel: 'WHATSAPP', chatId: '77010000009' };
    await linkedOnQuestion5(chat);
    const before = await loadConversation(prisma(), chat.channel, chat.chatId);
    // A forged summary: answers naming a kindergarten that does not exist fail validation in the service.
    const forged = {
      ...before.state,
      screen: 'summary' as const,
      draft: { ...before.state.draft, sectionsDone: true, digitalDone: true, kindergartens: [{ id: 999999, number: 999, nameKk: 'x', nameRu: 'x' }] },
    };
    expect(await saveConversation(prisma(), chat.channel, chat.chatId, forged, before.version)).toBe(true);
    const reply = await runtime().handle(chat, { type: 'action', seq: 7, action: { type: 'choose', value: 'confirm' } });
    expect(reply.outputs).toEqual([{ kind: 'notice', text: { key: 'common.error' } }]);
    const after = await loadConversation(prisma(), chat.channel, chat.chatId);
    expect(after.version).toBe(before.version + 1);
    expect(after.state).toEqual(forged);
    expect(await prisma().questionnaire.count()).toBe(0);
  });
});
