/**
 * Deep-link tokens on both databases: issued per parent, phone and deadline, redeemed once, and
 * refused — all alike — when forged, unknown, used, expired or issued for a phone the parent no
 * longer has; of concurrent redemptions exactly one wins. SMS pages name the same row.
 */
import { describe, expect, it } from 'vitest';
import { LinkService, type IssueArgs } from '../../src/links/links.ts';
import { findLinkCode, newTokenId, signToken, TOKEN_LENGTH, verifyToken } from '../../src/links/token.ts';
import { TEST_DB_KINDS } from '../../test-support/db.ts';
import { createParent } from '../helpers/fixtures.ts';
import { useDatabase } from '../services/use-database.ts';

const SECRET = Buffer.from('s'.repeat(40));
const NOW = new Date('2026-11-20T06:00:00Z');
const DEADLINE = new Date('2026-12-25T18:59:59Z');
const TARGETS = { telegramBot: 'kezek_test_bot', whatsappNumber: '77001234567', publicUrl: 'https://kezek.example.kz' };

const tokenOf = (url: string): string => new URL(url).searchParams.get('start') ?? new URL(url).searchParams.get('text') ?? url.split('/').at(-1)!;

describe('tokens', () => {
  it('are 24 characters of A-Za-z0-9_- (Telegram start parameter), signed per purpose', () => {
    for (let i = 0; i < 200; i++) {
      const id = newTokenId();
      const link = signToken(SECRET, 'link', id);
      expect(link).toMatch(/^L[A-Za-z0-9_-]{23}$/);
      expect(link).toHaveLength(TOKEN_LENGTH);
      expect(verifyToken(SECRET, 'link', link)).toBe(id);
      // A stop token is not a deep link, nor the other way round.
      const stop = signToken(SECRET, 'stop', id);
      expect(verifyToken(SECRET, 'link', stop)).toBeNull();
      expect(verifyToken(SECRET, 'stop', link)).toBeNull();
      expect(verifyToken(SECRET, 'stop', stop)).toBe(id);
    }
  });

  it('refuse another secret, a changed character, a cut token and garbage', () => {
    const token = signToken(SECRET, 'link', newTokenId());
    expect(verifyToken(Buffer.from('t'.repeat(40)), 'link', token)).toBeNull();
    const flipped = token.slice(0, 5) + (token[5] === 'A' ? 'B' : 'A') + token.slice(6);
    expect(verifyToken(SECRET, 'link', flipped)).toBeNull();
    const macFlipped = token.slice(0, 20) + (token[20] === 'A' ? 'B' : 'A') + token.slice(21);
    expect(verifyToken(SECRET, 'link', macFlipped)).toBeNull();
    expect(verifyToken(SECRET, 'link', token.slice(0, 20))).toBeNull();
    expect(verifyToken(SECRET, 'link', `${token}x`)).toBeNull();
    expect(verifyToken(SECRET, 'link', '')).toBeNull();
    expect(verifyToken(SECRET, 'link', "L'; DROP TABLE link_tokens;--")).toBeNull();
  });

  it('are found in a message only as a word of their own', () => {
    const token = signToken(SECRET, 'link', newTokenId());
    expect(findLinkCode(token)).toBe(token);
    expect(findLinkCode(`Сәлем! ${token}\n`)).toBe(token);
    expect(findLinkCode(`x${token}`)).toBeNull();
    expect(findLinkCode(`${token}x`)).toBeNull();
    expect(findLinkCode(`https://wa.me/1?text=${token}`)).toBeNull();
  });
});

describe.each(TEST_DB_KINDS)('link service (%s)', (kind) => {
  const prisma = useDatabase(kind);
  const links = () => new LinkService(SECRET, TARGETS);

  async function issued(bot: 'TELEGRAM' | 'WHATSAPP' = 'TELEGRAM') {
    const parent = await createParent(prisma(), { phone: '+77011112233', locale: 'kk' });
    const args: IssueArgs = { parentId: parent.id, phone: parent.phone, expiresAt: DEADLINE };
    const url = (await links().issueLink(prisma(), { ...args, bot }, NOW))!;
    return { parent, args, url, token: tokenOf(url) };
  }

  it('issues t.me and wa.me links, and an SMS page on the same row', async () => {
    const { args, url, token } = await issued();
    expect(url).toBe(`https://t.me/kezek_test_bot?start=${token}`);
    const wa = (await links().issueLink(prisma(), { ...args, bot: 'WHATSAPP' }, NOW))!;
    // Messages to one parent, phone and deadline share the live token.
    expect(wa).toBe(`https://wa.me/77001234567?text=${token}`);
    const page = (await links().smsPageUrl(prisma(), args, NOW))!;
    expect(page).toMatch(/^https:\/\/kezek\.example\.kz\/s\/S[A-Za-z0-9_-]{23}$/);
    expect(page.split('/s/')[1]!.slice(1, 12)).toBe(token.slice(1, 12));
    const rows = await prisma().linkToken.findMany();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ parentId: args.parentId, phone: args.phone, expiresAt: DEADLINE, usedAt: null });
    // Only the id is stored, never the signed token.
    expect(rows[0]!.id).toBe(token.slice(1, 12));
  });

  it("valid: redeemed once, naming the parent, the phone and the parent's language", async () => {
    const { parent, token } = await issued();
    const later = new Date(NOW.getTime() + 3_600_000);
    expect(await links().redeem(prisma(), token, later)).toEqual({ parentId: parent.id, phone: parent.phone, locale: 'kk' });
    expect((await prisma().linkToken.findFirstOrThrow()).usedAt).toEqual(later);
  });

  it('reused: refused, and a new message gets a new token', async () => {
    const { args, token } = await issued();
    expect(await links().redeem(prisma(), token, NOW)).not.toBeNull();
    expect(await links().redeem(prisma(), token, NOW)).toBeNull();
    const next = tokenOf((await links().issueLink(prisma(), { ...args, bot: 'TELEGRAM' }, NOW))!);
    expect(next).not.toBe(token);
    expect(await links().redeem(prisma(), next, NOW)).not.toBeNull();
  });

  it('forged signature or unknown id: refused, the row untouched', async () => {
    const { token } = await issued();
    const forged = token.slice(0, 12) + 'A'.repeat(12);
    expect(await links().redeem(prisma(), forged, NOW)).toBeNull();
    expect(await new LinkService(Buffer.from('x'.repeat(40)), TARGETS).redeem(prisma(), token, NOW)).toBeNull();
    // Well signed, but no such row (another deployment's, or a row deleted since).
    expect(await links().redeem(prisma(), signToken(SECRET, 'link', newTokenId()), NOW)).toBeNull();
    expect((await prisma().linkToken.findFirstOrThrow()).usedAt).toBeNull();
    expect(await links().redeem(prisma(), token, NOW)).not.toBeNull();
  });

  it('expired at the deadline: refused; none is issued for a deadline that passed', async () => {
    const { args, token } = await issued();
    expect(await links().redeem(prisma(), token, DEADLINE)).toBeNull();
    expect(await links().redeem(prisma(), token, new Date(DEADLINE.getTime() - 1))).not.toBeNull();
    expect(await links().issueLink(prisma(), { ...args, bot: 'TELEGRAM' }, DEADLINE)).toBeNull();
  });

  it('a parent whose registry phone changed since: refused (the link proved the old number)', async () => {
    const { parent, token } = await issued();
    await prisma().parent.update({ where: { id: parent.id }, data: { phone: '+77019998877' } });
    expect(await links().redeem(prisma(), token, NOW)).toBeNull();
    // Changed back (a correction): the link works again.
    await prisma().parent.update({ where: { id: parent.id }, data: { phone: parent.phone } });
    expect(await links().redeem(prisma(), token, NOW)).not.toBeNull();
  });

  it('two (or more) concurrent redemptions: exactly one wins', async () => {
    for (let round = 0; round < 3; round++) {
      const parent = await createParent(prisma());
      const url = (await links().issueLink(prisma(), { parentId: parent.id, phone: parent.phone, expiresAt: DEADLINE, bot: 'TELEGRAM' }, NOW))!;
      const results = await Promise.all(Array.from({ length: 6 }, () => links().redeem(prisma(), tokenOf(url), NOW)));
      expect(results.filter((r) => r !== null)).toHaveLength(1);
    }
  });

  it('SMS page links for a whole batch in one go: the live token reused, one new token per parent, phone and deadline; none past the deadline', async () => {
    const { args, token } = await issued();
    const other = await createParent(prisma(), { phone: '+77015556677' });
    const otherArgs: IssueArgs = { parentId: other.id, phone: other.phone, expiresAt: DEADLINE };
    const later: IssueArgs = { ...otherArgs, expiresAt: new Date(DEADLINE.getTime() + 30 * 86_400_000) };
    const past: IssueArgs = { ...otherArgs, expiresAt: NOW };
    const urls = await links().smsPageUrls(prisma(), [args, otherArgs, args, later, past, otherArgs], NOW);
    const ids = urls.map((u) => (u ? tokenOf(u).slice(1, 12) : null));
    expect(ids[0]).toBe(token.slice(1, 12));
    expect(ids[2]).toBe(ids[0]);
    expect(ids[5]).toBe(ids[1]);
    expect(new Set([ids[0], ids[1], ids[3]]).size).toBe(3);
    expect(ids[4]).toBeNull();
    expect(await prisma().linkToken.count()).toBe(3);
    // Asked again, the same links.
    expect(await links().smsPageUrls(prisma(), [later, args], NOW)).toEqual([urls[3], urls[0]]);
    expect(await prisma().linkToken.count()).toBe(3);
  });

  it('SMS pages: name the parent, neither used up nor expired; their deep links while the row works; forged ones name nobody', async () => {
    const { parent, args, token } = await issued();
    const page = tokenOf((await links().smsPageUrl(prisma(), args, NOW))!);
    expect(await links().smsPage(prisma(), page, NOW)).toEqual({
      parentId: parent.id,
      bots: { telegram: `https://t.me/kezek_test_bot?start=${token}`, whatsapp: `https://wa.me/77001234567?text=${token}` },
    });
    // Used (or expired): the page still names the parent, and offers the bots' plain addresses.
    await links().redeem(prisma(), token, NOW);
    const plain = { parentId: parent.id, bots: { telegram: 'https://t.me/kezek_test_bot', whatsapp: 'https://wa.me/77001234567' } };
    expect(await links().smsPage(prisma(), page, NOW)).toEqual(plain);
    expect(await links().smsPage(prisma(), page, new Date(DEADLINE.getTime() + 1))).toEqual(plain);
    expect(await links().stopParent(prisma(), page)).toBe(parent.id);
    expect(await links().stopParent(prisma(), token)).toBeNull();
    expect(await links().smsPage(prisma(), token, NOW)).toBeNull();
    expect(await links().stopParent(prisma(), `S${page.slice(1, 12)}${'A'.repeat(12)}`)).toBeNull();
    // A bot that is not configured is not offered.
    const telegramOnly = new LinkService(SECRET, { ...TARGETS, whatsappNumber: null });
    expect((await telegramOnly.smsPage(prisma(), page, NOW))!.bots.whatsapp).toBeNull();
  });

  it("off without a secret, or without the bot's address: nothing issued, every token refused", async () => {
    const { args, token } = await issued();
    const off = new LinkService(null, TARGETS);
    expect(off.enabled).toBe(false);
    expect(await off.issueLink(prisma(), { ...args, bot: 'TELEGRAM' }, NOW)).toBeNull();
    expect(await off.smsPageUrl(prisma(), args, NOW)).toBeNull();
    expect(await off.redeem(prisma(), token, NOW)).toBeNull();
    const bare = new LinkService(SECRET, { telegramBot: null, whatsappNumber: null, publicUrl: null });
    expect(await bare.issueLink(prisma(), { ...args, bot: 'TELEGRAM' }, NOW)).toBeNull();
    expect(await bare.issueLink(prisma(), { ...args, bot: 'WHATSAPP' }, NOW)).toBeNull();
    expect(await bare.smsPageUrl(prisma(), args, NOW)).toBeNull();
    // The bot's username learned at start turns Telegram links on.
    expect(bare.learnTelegramBot('kezek_test_bot')).toEqual({ conflict: false });
    expect(await bare.issueLink(prisma(), { ...args, bot: 'TELEGRAM' }, NOW)).toMatch(/^https:\/\/t\.me\/kezek_test_bot\?start=L/);
    expect(links().learnTelegramBot('other_bot')).toEqual({ conflict: true });
  });
});
