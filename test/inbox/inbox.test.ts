import { describe, expect, it } from 'vitest';
import { claimStaleInbound, markProcessed, pruneInbound, recordInbound, recordInboundReadingConversation, unprocessedInbound } from '../../src/inbox/inbox.ts';
import { initialState } from '../../src/conversation/core/state.ts';
import { saveConversation } from '../../src/conversation/runtime/store.ts';
import { saveScreenAnchor } from '../../src/conversation/runtime/screen-anchor.ts';
import { TEST_DB_KINDS } from '../../test-support/db.ts';
import { useDatabase } from '../services/use-database.ts';

describe.each(TEST_DB_KINDS)('the inbox of platform updates on %s', (kind) => {
  const prisma = useDatabase(kind);
  const rec = (externalId: string) => ({ channel: 'WHATSAPP' as const, externalId, chatId: '77010000001', payload: { text: 'сәлем' } });

  it('records an update once: a redelivery is recognised', async () => {
    expect(await recordInbound(prisma(), rec('wamid.1'))).toBe(true);
    expect(await recordInbound(prisma(), rec('wamid.1'))).toBe(false);
    expect(await prisma().inboundUpdate.count()).toBe(1);
  });

  it('forgets the payload (personal data) once processed', async () => {
    await recordInbound(prisma(), rec('wamid.2'));
    await markProcessed(prisma(), 'WHATSAPP', 'wamid.2', new Date());
    const row = await prisma().inboundUpdate.findUniqueOrThrow({ where: { channel_externalId: { channel: 'WHATSAPP', externalId: 'wamid.2' } } });
    expect(row.payload).toBeNull();
    expect(row.processedAt).not.toBeNull();
  });

  it('lets exactly one of several sweepers take over an update left unprocessed', async () => {
    await recordInbound(prisma(), rec('wamid.3'));
    // Left behind by a process that died ten minutes ago.
    await prisma().inboundUpdate.updateMany({ data: { receivedAt: new Date(Date.now() - 600_000) } });
    const staleBefore = new Date(Date.now() - 120_000);
    expect(await unprocessedInbound(prisma(), 'WHATSAPP', staleBefore)).toHaveLength(1);
    const claims = await Promise.all([1, 2, 3, 4].map(() => claimStaleInbound(prisma(), 'WHATSAPP', 'wamid.3', staleBefore)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    // Restamped: to every other sweeper it is in flight again, not stale.
    expect(await unprocessedInbound(prisma(), 'WHATSAPP', staleBefore)).toHaveLength(0);
  });

  it('gives up an update that failed too often', async () => {
    await recordInbound(prisma(), rec('wamid.4'));
    const staleBefore = new Date(Date.now() - 120_000);
    const age = () => prisma().inboundUpdate.updateMany({ data: { receivedAt: new Date(Date.now() - 600_000) } });
    await age();
    expect(await claimStaleInbound(prisma(), 'WHATSAPP', 'wamid.4', staleBefore, { maxAttempts: 2 })).toBe(true);
    await age();
    expect(await claimStaleInbound(prisma(), 'WHATSAPP', 'wamid.4', staleBefore, { maxAttempts: 2 })).toBe(true);
    await age();
    expect(await claimStaleInbound(prisma(), 'WHATSAPP', 'wamid.4', staleBefore, { maxAttempts: 2 })).toBe(false);
  });

  it('prunes only processed updates older than the retention', async () => {
    for (const id of ['old', 'recent', 'open']) await recordInbound(prisma(), rec(id));
    const now = Date.now();
    await markProcessed(prisma(), 'WHATSAPP', 'old', new Date(now - 9 * 86_400_000));
    await markProcessed(prisma(), 'WHATSAPP', 'recent', new Date(now - 3_600_000));
    expect(await pruneInbound(prisma(), new Date(now - 8 * 86_400_000))).toBe(1);
    expect((await prisma().inboundUpdate.findMany({ orderBy: { externalId: 'asc' } })).map((r) => r.externalId)).toEqual(['open', 'recent']);
  });

  it("reads the chat's stored conversation in the statement that records the update", async () => {
    const telegram = (externalId: string) => ({ channel: 'TELEGRAM' as const, externalId, chatId: '501', payload: { update_id: Number(externalId) } });
    expect(await recordInboundReadingConversation(prisma(), telegram('1'))).toEqual({ fresh: true, conversation: null, anchor: null });
    const state = { ...initialState(), seq: 4, locale: 'kk' as const };
    await saveConversation(prisma(), 'TELEGRAM', '501', state, 0);
    expect(await recordInboundReadingConversation(prisma(), telegram('2'))).toEqual({ fresh: true, conversation: { state, version: 1 }, anchor: null });
    // Where the channel recorded the screen is read with it; a later save of the state leaves it.
    await saveScreenAnchor(prisma(), 'TELEGRAM', '501', { seq: 4, messageId: '77' });
    await saveConversation(prisma(), 'TELEGRAM', '501', state, 1);
    // A redelivery is recognised and still reads the conversation; another channel's chat 501 is not this one.
    expect(await recordInboundReadingConversation(prisma(), telegram('2'))).toEqual({
      fresh: false,
      conversation: { state, version: 2 },
      anchor: { seq: 4, messageId: '77' },
    });
    expect((await recordInboundReadingConversation(prisma(), { ...rec('wamid.9'), chatId: '501' })).conversation).toBeNull();
    expect(await prisma().inboundUpdate.count()).toBe(3);
  });
});
