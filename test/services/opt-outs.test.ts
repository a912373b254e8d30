import { describe, expect, it } from 'vitest';
import { chatParents, optedOut, optIn, optOut, optOutPhone } from '../../src/services/opt-outs.ts';
import { TEST_DB_KINDS } from '../../test-support/db.ts';
import { createParent } from '../helpers/fixtures.ts';
import { useDatabase } from './use-database.ts';

const T0 = new Date('2026-11-20T06:00:00Z');

describe.each(TEST_DB_KINDS)('opt-outs (%s)', (kind) => {
  const prisma = useDatabase(kind);

  it('are stored per parent and channel, the first source and date kept, and read for many parents at once', async () => {
    const [a, b, c] = [await createParent(prisma()), await createParent(prisma()), await createParent(prisma())];
    expect(await optOut(prisma(), a!.id, 'WHATSAPP', 'template', T0)).toBe(1);
    expect(await optOut(prisma(), [a!.id, b!.id, b!.id], 'WHATSAPP', 'bot', new Date(T0.getTime() + 1000))).toBe(1);
    expect(await optOut(prisma(), a!.id, 'SMS', 'sms', T0)).toBe(1);
    expect(await optOut(prisma(), [], 'SMS', 'sms', T0)).toBe(0);
    expect(await prisma().notificationOptOut.findUniqueOrThrow({ where: { parentId_channel: { parentId: a!.id, channel: 'WHATSAPP' } } })).toMatchObject({
      source: 'template',
      createdAt: T0,
    });
    expect([...(await optedOut(prisma(), [a!.id, b!.id, c!.id], 'WHATSAPP'))].sort()).toEqual([a!.id, b!.id].sort());
    expect([...(await optedOut(prisma(), [a!.id, b!.id, c!.id], 'SMS'))]).toEqual([a!.id]);
    expect([...(await optedOut(prisma(), [c!.id], 'TELEGRAM'))]).toEqual([]);
    expect(await optedOut(prisma(), [], 'TELEGRAM')).toEqual(new Set());
  });

  it('opting in removes the channel only', async () => {
    const a = await createParent(prisma());
    await optOut(prisma(), a.id, 'WHATSAPP', 'bot', T0);
    await optOut(prisma(), a.id, 'SMS', 'sms', T0);
    expect(await optIn(prisma(), a.id, 'WHATSAPP')).toBe(1);
    expect(await optIn(prisma(), a.id, 'WHATSAPP')).toBe(0);
    expect((await optedOut(prisma(), [a.id], 'SMS')).has(a.id)).toBe(true);
  });

  it('a chat stands for its linked parent and, with a proven number, the parents of that registry phone', async () => {
    const linked = await createParent(prisma(), { locale: 'ru' });
    const shared = '+77015550001';
    const spouse = await createParent(prisma(), { phone: shared, locale: null });
    const other = await createParent(prisma(), { phone: shared, locale: 'kk' });
    await prisma().chatLink.create({ data: { channel: 'WHATSAPP', chatId: '77015550001', parentId: linked.id, locale: 'ru' } });
    expect(await chatParents(prisma(), { channel: 'WHATSAPP', chatId: '77015550001', phone: '+77015550001' })).toEqual({
      parentIds: [linked.id, spouse.id, other.id],
      locale: 'ru',
    });
    expect(await chatParents(prisma(), { channel: 'WHATSAPP', chatId: 'nobody', phone: '77015550001' })).toEqual({
      parentIds: [spouse.id, other.id],
      locale: 'kk',
    });
    expect(await chatParents(prisma(), { channel: 'TELEGRAM', chatId: '77015550001', phone: null })).toEqual({ parentIds: [], locale: null });
    expect(await chatParents(prisma(), { channel: 'WHATSAPP', chatId: 'x', phone: '+15551234567' })).toEqual({ parentIds: [], locale: null });
  });

  it('by registry phone (an SMS STOP reply): every parent with it', async () => {
    const a = await createParent(prisma(), { phone: '+77015550002' });
    const b = await createParent(prisma(), { phone: '+77015550002' });
    await createParent(prisma(), { phone: '+77015550003' });
    expect(await optOutPhone(prisma(), '8 701 555 00 02', 'SMS', 'sms', T0)).toEqual([a.id, b.id]);
    expect(await prisma().notificationOptOut.count()).toBe(2);
    expect(await optOutPhone(prisma(), 'not a phone', 'SMS', 'sms', T0)).toEqual([]);
  });
});
