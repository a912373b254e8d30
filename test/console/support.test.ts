/**
 * The support desk's actions over HTTP on both databases: "send the reminder again" queues one
 * reminder per reachable chat of a parent who still needs to extend (none for one who extended or
 * stopped that channel), and unlinking a chat removes the link and its conversation; both audited.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TEST_DB_KINDS } from '../../test-support/db.ts';
import { createApplication, createChild, createParent, createSeason, truncateAll } from '../helpers/fixtures.ts';
import { HttpClient, person, startConsole, type ConsoleWorld } from '../../test-support/console-harness.ts';

const DAY = 86_400_000;

describe.each(TEST_DB_KINDS)('support desk actions (%s)', (kind) => {
  let world: ConsoleWorld;
  beforeAll(async () => {
    world = await startConsole(kind, { seed: false });
  }, 60_000);
  afterAll(() => world?.close());
  beforeEach(async () => {
    await truncateAll(world.core.db.prisma);
    await person(world.core, 'opr', 'OPERATOR');
  });
  const db = () => world.core.db.prisma;

  async function parentWithChats(validForDays: number) {
    const now = Date.now();
    await createSeason(db(), { code: 'S1', opensAt: new Date(now - 5 * DAY), deadline: new Date(now + 20 * DAY), validUntil: new Date(now + 400 * DAY) });
    const parent = await createParent(db());
    const child = await createChild(db(), parent.id);
    await createApplication(db(), { parentId: parent.id, childId: child.id, validUntil: new Date(now + validForDays * DAY) });
    const tg = await db().chatLink.create({ data: { channel: 'TELEGRAM', chatId: '7001', parentId: parent.id, locale: 'ru' } });
    const wa = await db().chatLink.create({ data: { channel: 'WHATSAPP', chatId: '77010000001', parentId: parent.id, locale: 'kk' } });
    await db().conversationState.create({ data: { channel: 'TELEGRAM', chatId: '7001', state: { v: 3, screen: 'q2' } } });
    return { parent, tg, wa };
  }

  it('"send the reminder again" queues one reminder per reachable chat, only while the parent needs to extend and has not stopped the channel', async () => {
    const { parent } = await parentWithChats(1);
    await db().notificationOptOut.create({ data: { parentId: parent.id, channel: 'WHATSAPP', source: 'bot' } });
    const c = new HttpClient(world.base);
    await c.login('opr');
    const page = `/admin/parents/${parent.id}`;
    expect((await c.request('POST', `${page}/remind`, { _csrf: await c.token(page) })).status).toBe(303);
    const rows = await db().outbox.findMany({ where: { parentId: parent.id } });
    expect(rows.map((r) => [r.channel, r.kind, r.status])).toEqual([['TELEGRAM', 'REMINDER', 'PENDING']]);
    expect((await c.request('GET', page)).text).toContain('Напоминание поставлено в очередь (1 чат).');
    // A second press is a second reminder (the operator asked again), not a duplicate key.
    await c.request('POST', `${page}/remind`, { _csrf: await c.token(page) });
    expect(await db().outbox.count({ where: { parentId: parent.id } })).toBe(2);
    await db().application.updateMany({ where: { parentId: parent.id }, data: { validUntil: new Date(Date.now() + 500 * DAY) } });
    await c.request('POST', `${page}/remind`, { _csrf: await c.token(page) });
    expect(await db().outbox.count({ where: { parentId: parent.id } })).toBe(2);
    expect((await c.request('GET', page)).text).toContain('Напоминать нечего');
    expect(await db().auditEntry.count({ where: { action: 'parent.remind', objectId: String(parent.id) } })).toBe(3);
  });

  it('unlinking a chat removes the link and its conversation, keeps the other chat, and is audited', async () => {
    const { parent, tg, wa } = await parentWithChats(1);
    const c = new HttpClient(world.base);
    await c.login('opr');
    const page = `/admin/parents/${parent.id}`;
    expect((await c.request('GET', page)).text).toContain('анкета: вопрос 2');
    expect((await c.request('POST', `${page}/chats/${tg.id}/unlink`, { _csrf: await c.token(page) })).status).toBe(303);
    expect(await db().chatLink.findMany({ where: { parentId: parent.id }, select: { id: true } })).toEqual([{ id: wa.id }]);
    expect(await db().conversationState.count({ where: { channel: 'TELEGRAM', chatId: '7001' } })).toBe(0);
    // Another parent's chat through this parent's address: not found, nothing removed.
    const other = await createParent(db());
    expect((await c.request('POST', `/admin/parents/${other.id}/chats/${wa.id}/unlink`, { _csrf: await c.token(page) })).status).toBe(404);
    expect(await db().chatLink.count()).toBe(1);
    const entry = await db().auditEntry.findFirstOrThrow({ where: { action: 'parent.unlinkChat' } });
    expect(entry).toMatchObject({ username: 'opr', objectId: String(parent.id), before: expect.objectContaining({ channel: 'TELEGRAM' }) });
  });
});
