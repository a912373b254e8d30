import { describe, expect, it } from 'vitest';
import { makeIin } from '../../src/domain/iin.ts';
import { identifyPhone, verifyIin } from '../../src/services/identification.ts';
import { TEST_DB_KINDS } from '../../test-support/db.ts';
import { createChild, createParent, uniquePhone } from '../helpers/fixtures.ts';
import { useDatabase } from './use-database.ts';

const limits = { maxAttempts: 3, lockMinutes: 60 };
const T0 = new Date('2025-09-01T10:00:00Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);
// Valid, but nobody's: the fixtures never make people born in the 1800s.
const WRONG_IIN = makeIin(new Date('1899-06-15'), 'M', 1);

describe.each(TEST_DB_KINDS)('identification (%s)', (kind) => {
  const prisma = useDatabase(kind);
  const tg = (chatId: string) => ({ channel: 'TELEGRAM' as const, chatId });

  describe('identifyPhone', () => {
    it('finds a parent by phone, in any accepted notation', async () => {
      const parent = await createParent(prisma(), { phone: '+77011234567' });
      expect(await identifyPhone(prisma(), limits, { ...tg('1'), phone: parent.phone, now: T0 })).toEqual({ found: true, lockedUntil: null });
      expect(await identifyPhone(prisma(), limits, { ...tg('1'), phone: '8 (701) 123-45-67', now: T0 })).toEqual({ found: true, lockedUntil: null });
    });

    it('does not find an unknown or malformed phone', async () => {
      await createParent(prisma(), { phone: '+77011234567' });
      expect((await identifyPhone(prisma(), limits, { ...tg('1'), phone: '+77019999999', now: T0 })).found).toBe(false);
      expect((await identifyPhone(prisma(), limits, { ...tg('1'), phone: 'not a phone', now: T0 })).found).toBe(false);
    });
  });

  describe('verifyIin', () => {
    it("links the chat on the parent's own IIN", async () => {
      const parent = await createParent(prisma());
      const r = await verifyIin(prisma(), limits, { ...tg('c1'), phone: parent.phone, iin: parent.iin, locale: 'ru', now: T0 });
      expect(r).toEqual({ outcome: 'ok', attemptsLeft: 3, lockedUntil: null, parentId: parent.id });
      const link = await prisma().chatLink.findUniqueOrThrow({ where: { channel_chatId: { channel: 'TELEGRAM', chatId: 'c1' } } });
      expect(link).toMatchObject({ parentId: parent.id, locale: 'ru', verifiedAt: T0, unreachableAt: null });
      expect((await prisma().parent.findUniqueOrThrow({ where: { id: parent.id } })).locale).toBe('ru');
    });

    it("links the chat on a child's IIN, typed with spaces", async () => {
      const parent = await createParent(prisma());
      const child = await createChild(prisma(), parent.id);
      const typed = `${child.iin.slice(0, 6)} ${child.iin.slice(6)}`;
      const r = await verifyIin(prisma(), limits, { ...tg('c1'), phone: parent.phone, iin: typed, locale: 'kk', now: T0 });
      expect(r.outcome).toBe('ok');
      expect(r.parentId).toBe(parent.id);
    });

    it('resolves the right parent when several share the phone', async () => {
      const phone = uniquePhone();
      const first = await createParent(prisma(), { phone });
      const second = await createParent(prisma(), { phone });
      await createChild(prisma(), first.id);
      const secondChild = await createChild(prisma(), second.id);
      const r = await verifyIin(prisma(), limits, { ...tg('c1'), phone, iin: secondChild.iin, locale: 'kk', now: T0 });
      expect(r).toMatchObject({ outcome: 'ok', parentId: second.id });
      const r2 = await verifyIin(prisma(), limits, { ...tg('c2'), phone, iin: first.iin, locale: 'kk', now: T0 });
      expect(r2).toMatchObject({ outcome: 'ok', parentId: first.id });
    });

    it('prefers the parent whose own IIN it is over one with a child of that IIN (a registry error)', async () => {
      const phone = uniquePhone();
      const withChild = await createParent(prisma(), { phone });
      const owner = await createParent(prisma(), { phone });
      await createChild(prisma(), withChild.id, { iin: owner.iin });
      const r = await verifyIin(prisma(), limits, { ...tg('c1'), phone, iin: owner.iin, locale: 'ru', now: T0 });
      expect(r).toMatchObject({ outcome: 'ok', parentId: owner.id });
    });

    it('rejects an IIN of a parent with another phone, like any wrong IIN, and records the failure', async () => {
      const mine = await createParent(prisma());
      const other = await createParent(prisma());
      const otherChild = await createChild(prisma(), other.id);
      for (const iin of [other.iin, otherChild.iin]) {
        const r = await verifyIin(prisma(), { maxAttempts: 5, lockMinutes: 60 }, { ...tg('c1'), phone: mine.phone, iin, locale: 'kk', now: T0 });
        expect(r.outcome).toBe('mismatch');
        expect(r.parentId).toBeUndefined();
      }
      const failures = await prisma().identificationFailure.findMany();
      expect(failures).toHaveLength(2);
      expect(failures[0]).toMatchObject({ channel: 'TELEGRAM', chatId: 'c1', phone: mine.phone, createdAt: T0 });
      expect(await prisma().chatLink.count()).toBe(0);
    });

    it('counts down the attempts, then locks until the oldest counted failure expires', async () => {
      const parent = await createParent(prisma());
      const attempt = (iin: string, now: Date) => verifyIin(prisma(), limits, { ...tg('c1'), phone: parent.phone, iin, locale: 'kk', now });

      expect(await attempt(WRONG_IIN, minutes(0))).toEqual({ outcome: 'mismatch', attemptsLeft: 2, lockedUntil: null });
      expect(await attempt('garbage', minutes(1))).toEqual({ outcome: 'mismatch', attemptsLeft: 1, lockedUntil: null });
      const third = await attempt(WRONG_IIN, minutes(2));
      expect(third).toEqual({ outcome: 'locked', attemptsLeft: 0, lockedUntil: minutes(60) });

      // Even the right IIN is refused while locked, and no more failures are recorded.
      expect(await attempt(parent.iin, minutes(30))).toEqual({ outcome: 'locked', attemptsLeft: 0, lockedUntil: minutes(60) });
      expect(await prisma().identificationFailure.count()).toBe(3);
      expect((await identifyPhone(prisma(), limits, { ...tg('c1'), phone: parent.phone, now: minutes(59) })).lockedUntil).toEqual(minutes(60));

      // Once the first failure leaves the window one attempt is back.
      expect((await identifyPhone(prisma(), limits, { ...tg('c1'), phone: parent.phone, now: minutes(60) })).lockedUntil).toBeNull();
      expect(await attempt(parent.iin, minutes(60))).toMatchObject({ outcome: 'ok', attemptsLeft: 1, parentId: parent.id });
    });

    it('locks a new chat that tries the same phone, and a chat that switches phones', async () => {
      const victim = await createParent(prisma());
      const otherPhone = await createParent(prisma());
      for (let i = 0; i < 3; i++) {
        await verifyIin(prisma(), limits, { ...tg('attacker'), phone: victim.phone, iin: WRONG_IIN, locale: 'kk', now: minutes(i) });
      }
      // Another chat (even on another channel) on the victim's phone is locked by the phone's failures.
      const fresh = await verifyIin(prisma(), limits, {
        channel: 'WHATSAPP',
        chatId: '77010000000',
        phone: victim.phone,
        iin: victim.iin,
        locale: 'kk',
        now: minutes(5),
      });
      expect(fresh).toEqual({ outcome: 'locked', attemptsLeft: 0, lockedUntil: minutes(60) });
      expect((await identifyPhone(prisma(), limits, { channel: 'WHATSAPP', chatId: 'x', phone: victim.phone, now: minutes(5) })).lockedUntil).toEqual(
        minutes(60),
      );
      // The attacking chat is locked whatever phone it names.
      const switched = await verifyIin(prisma(), limits, { ...tg('attacker'), phone: otherPhone.phone, iin: otherPhone.iin, locale: 'kk', now: minutes(6) });
      expect(switched.outcome).toBe('locked');
      // An unrelated chat and phone are not affected.
      const unrelated = await verifyIin(prisma(), limits, { ...tg('other'), phone: otherPhone.phone, iin: otherPhone.iin, locale: 'kk', now: minutes(6) });
      expect(unrelated.outcome).toBe('ok');
    });

    it('relinks a chat to another parent, and links one parent on several channels', async () => {
      const a = await createParent(prisma());
      const b = await createParent(prisma());
      await verifyIin(prisma(), limits, { ...tg('c1'), phone: a.phone, iin: a.iin, locale: 'kk', now: minutes(0) });
      await prisma().chatLink.update({ where: { channel_chatId: { channel: 'TELEGRAM', chatId: 'c1' } }, data: { unreachableAt: minutes(1) } });
      const r = await verifyIin(prisma(), limits, { ...tg('c1'), phone: b.phone, iin: b.iin, locale: 'ru', now: minutes(2) });
      expect(r).toMatchObject({ outcome: 'ok', parentId: b.id });
      const links = await prisma().chatLink.findMany({ where: { channel: 'TELEGRAM', chatId: 'c1' } });
      expect(links).toHaveLength(1);
      expect(links[0]).toMatchObject({ parentId: b.id, locale: 'ru', verifiedAt: minutes(2), unreachableAt: null });

      await verifyIin(prisma(), limits, { channel: 'WHATSAPP', chatId: 'w1', phone: b.phone, iin: b.iin, locale: 'kk', now: minutes(3) });
      expect(await prisma().chatLink.count({ where: { parentId: b.id } })).toBe(2);
      expect(await prisma().chatLink.count({ where: { parentId: a.id } })).toBe(0);
    });
  });
});
