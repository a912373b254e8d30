import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordInbound } from '../../src/inbox/inbox.ts';
import { createParent } from '../helpers/fixtures.ts';
import { createTestDatabase, TEST_DB_KINDS, type TestDatabase } from '../../test-support/db.ts';

/** recordInbound with `activityAt`: the update and the chat's activity in one statement. */
describe.each(TEST_DB_KINDS)('inbox with inbound activity on %s', (kind) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(kind);
  });
  afterAll(() => db?.close());

  it('records a fresh update and the activity, exactly at the given time; a duplicate records nothing', async () => {
    const parent = await createParent(db.prisma);
    await db.prisma.chatLink.create({
      data: { channel: 'TELEGRAM', chatId: '77', parentId: parent.id, locale: 'ru', unreachableAt: new Date('2026-01-01T00:00:00Z') },
    });
    const at = new Date('2026-03-04T05:06:07.089Z');
    const payload = { update_id: 1, message: { text: 'салем 👋' } };
    expect(await recordInbound(db.prisma, { channel: 'TELEGRAM', externalId: '1', chatId: '77', payload, activityAt: at })).toBe(true);
    let link = await db.prisma.chatLink.findFirstOrThrow({ where: { chatId: '77' } });
    expect(link.lastInboundAt?.toISOString()).toBe(at.toISOString());
    expect(link.unreachableAt).toBeNull();
    const row = await db.prisma.inboundUpdate.findFirstOrThrow({ where: { externalId: '1' } });
    expect(row).toMatchObject({ chatId: '77', payload, processedAt: null, attempts: 0 });

    await db.prisma.chatLink.updateMany({ where: { chatId: '77' }, data: { unreachableAt: at } });
    expect(await recordInbound(db.prisma, { channel: 'TELEGRAM', externalId: '1', chatId: '77', payload, activityAt: new Date() })).toBe(false);
    link = await db.prisma.chatLink.findFirstOrThrow({ where: { chatId: '77' } });
    expect(link.unreachableAt?.toISOString()).toBe(at.toISOString());
    expect(link.lastInboundAt?.toISOString()).toBe(at.toISOString());
  });

  it('records an update of a chat without a link, and one without payload', async () => {
    expect(await recordInbound(db.prisma, { channel: 'TELEGRAM', externalId: '2', chatId: '88', activityAt: new Date() })).toBe(true);
    expect(await recordInbound(db.prisma, { channel: 'WHATSAPP', externalId: '2', chatId: '88', activityAt: new Date() })).toBe(true);
    const rows = await db.prisma.inboundUpdate.findMany({ where: { externalId: '2' } });
    expect(rows.map((r) => [r.channel, r.payload])).toEqual(
      expect.arrayContaining([
        ['TELEGRAM', null],
        ['WHATSAPP', null],
      ]),
    );
  });
});
