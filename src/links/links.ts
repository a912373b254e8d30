/**
 * Deep links into the bots and stop links for SMS (issue 15).
 *
 * A campaign message to a registry phone (an SMS, a WhatsApp template to a parent with no linked
 * chat) carries a link that names its parent: `https://t.me/<bot>?start=<token>` or
 * `https://wa.me/<number>?text=<token>`. Following it binds the chat to the parent's registry phone
 * as if the contact step had proven it; the IIN is still asked. A token is one row of
 * `link_tokens`: the parent and the phone it was issued for, valid until the season's deadline and
 * used once. The row is marked used when the chat redeems it, not when the IIN is confirmed: the
 * link's only power is to prove the phone, and once a chat holds that proof a forwarded copy of the
 * SMS must not bind a second chat; it also takes a single conditional UPDATE, so two instances
 * never both redeem it, and the IIN step stays as it is. A parent whose registry phone changed
 * since the link was issued is refused: the link proved a number that is no longer theirs.
 *
 * An SMS carries one short link instead, to its page (`<PUBLIC_URL>/s/<token>`, sms-page.ts): two
 * links and a stop instruction do not fit two Cyrillic SMS parts, and the page offers both bots
 * (the parent picks the messenger they have) and the stop button. Its token names the same row with
 * a signature of its own; it neither expires nor gets used up (stopping twice is stopping), and the
 * page shows the row's deep links while they work.
 */
import type { Locale } from '../generated/prisma/client.ts';
import type { Db } from '../services/db.ts';
import { newTokenId, signToken, verifyToken } from './token.ts';

/** The bot a deep link opens. */
export type LinkBot = 'TELEGRAM' | 'WHATSAPP';

export interface LinkTargets {
  /** From TELEGRAM_BOT_USERNAME, else learned from getMe when the Telegram channel starts. */
  telegramBot: string | null;
  /** WHATSAPP_DISPLAY_NUMBER, digits only. */
  whatsappNumber: string | null;
  /** PUBLIC_URL without a trailing slash. */
  publicUrl: string | null;
}

export interface IssueArgs {
  parentId: number;
  /** The registry phone the message goes to; the link works only while it is still the parent's. */
  phone: string;
  /** The season's deadline: the link works until then. */
  expiresAt: Date;
}

export interface Redeemed {
  parentId: number;
  /** The registry phone, now proven for the chat. */
  phone: string;
  locale: Locale | null;
}

export const SMS_PAGE_PATH = '/s/';

/** The page's ways into the bots: deep links while the row's token works, else the bots' plain addresses. */
export interface BotLinks {
  telegram: string | null;
  whatsapp: string | null;
}

export class LinkService {
  private telegramBot: string | null;

  constructor(
    private readonly secret: Buffer | null,
    private readonly targets: LinkTargets,
  ) {
    this.telegramBot = targets.telegramBot;
  }

  /** False when no secret is configured: no link is issued and every token is refused. */
  get enabled(): boolean {
    return this.secret !== null;
  }

  /** Which links can be issued now (for the start log and the planner). */
  describe(): { deepLinks: boolean; telegram: boolean; whatsapp: boolean; smsPages: boolean } {
    const on = this.enabled;
    return {
      deepLinks: on,
      telegram: on && this.telegramBot !== null,
      whatsapp: on && this.targets.whatsappNumber !== null,
      smsPages: on && this.targets.publicUrl !== null,
    };
  }

  /**
   * The bot's username as Telegram reports it at start. A configured one wins (an instance may
   * issue links without running the channel); a different one is reported, since links to it
   * would open another bot.
   */
  learnTelegramBot(username: string): { conflict: boolean } {
    if (this.targets.telegramBot) return { conflict: this.targets.telegramBot.toLowerCase() !== username.toLowerCase() };
    this.telegramBot = username;
    return { conflict: false };
  }

  /**
   * The deep link for one message to a registry phone (the campaign's compose step calls it per
   * outbox row), or null when links are off, the bot's address is unknown or the deadline passed.
   * Messages to the same parent, phone and deadline share one live token until it is used, so a
   * retried or repeated send does not leave a trail of rows.
   */
  async issueLink(db: Db, args: IssueArgs & { bot: LinkBot }, now: Date): Promise<string | null> {
    const target = args.bot === 'TELEGRAM' ? this.telegramBot : this.targets.whatsappNumber;
    if (!this.secret || !target || args.expiresAt.getTime() <= now.getTime()) return null;
    const token = signToken(this.secret, 'link', await liveTokenId(db, args, now));
    return args.bot === 'TELEGRAM' ? `https://t.me/${target}?start=${token}` : `https://wa.me/${target}?text=${token}`;
  }

  /** The SMS's link (`<PUBLIC_URL>/s/<token>`), or null when links or PUBLIC_URL are off. */
  async smsPageUrl(db: Db, args: IssueArgs, now: Date): Promise<string | null> {
    return (await this.smsPageUrls(db, [args], now))[0]!;
  }

  /** `smsPageUrl` for a whole batch, in order, in one statement. */
  async smsPageUrls(db: Db, list: IssueArgs[], now: Date): Promise<(string | null)[]> {
    const secret = this.secret;
    const root = this.targets.publicUrl;
    if (!secret || !root) return list.map(() => null);
    const live = list.filter((a) => a.expiresAt.getTime() > now.getTime());
    const ids = new Map(live.map((a, i) => [a, i]));
    const tokens = await liveTokenIds(db, live, now);
    return list.map((a) => {
      const i = ids.get(a);
      return i === undefined ? null : `${root}${SMS_PAGE_PATH}${signToken(secret, 'stop', tokens[i]!)}`;
    });
  }

  /**
   * Redeems a deep link's token: the parent and phone it names, or null for a forged, unknown,
   * used or expired token or a parent whose phone changed — one answer for all, so a caller
   * cannot tell them apart. One statement: of two redemptions at once only one gets the row.
   */
  async redeem(db: Db, token: string, now: Date): Promise<Redeemed | null> {
    const id = this.secret ? verifyToken(this.secret, 'link', token) : null;
    if (id === null) return null;
    // Columns as in prisma/schema.prisma (LinkToken, Parent).
    const rows = await db.$queryRaw<Redeemed[]>`
      UPDATE link_tokens t SET "usedAt" = ${now}::timestamp(3)
      FROM parents p
      WHERE t.id = ${id} AND t."usedAt" IS NULL AND t."expiresAt" > ${now}::timestamp(3)
        AND p.id = t."parentId" AND p.phone = t.phone
      RETURNING t."parentId", t.phone, p.locale::text AS locale`;
    return rows[0] ?? null;
  }

  /** The parent an SMS page's token names; null for a forged or unknown token. */
  async stopParent(db: Db, token: string): Promise<number | null> {
    return (await this.pageRow(db, token))?.parentId ?? null;
  }

  /**
   * The parent an SMS page's token names and the page's ways into the bots: the row's deep links
   * while it is unused and unexpired (the same token as `issueLink` gives), else the bots' plain
   * addresses, where the parent identifies as anyone does. Null for a forged or unknown token.
   */
  async smsPage(db: Db, token: string, now: Date): Promise<{ parentId: number; bots: BotLinks } | null> {
    const row = await this.pageRow(db, token);
    if (!row) return null;
    const live = row.usedAt === null && row.expiresAt.getTime() > now.getTime();
    const code = live ? signToken(this.secret!, 'link', row.id) : null;
    const bot = this.telegramBot;
    const number = this.targets.whatsappNumber;
    return {
      parentId: row.parentId,
      bots: {
        telegram: bot ? (code ? `https://t.me/${bot}?start=${code}` : `https://t.me/${bot}`) : null,
        whatsapp: number ? (code ? `https://wa.me/${number}?text=${code}` : `https://wa.me/${number}`) : null,
      },
    };
  }

  private async pageRow(db: Db, token: string) {
    const id = this.secret ? verifyToken(this.secret, 'stop', token) : null;
    if (id === null) return null;
    return db.linkToken.findUnique({ where: { id }, select: { id: true, parentId: true, usedAt: true, expiresAt: true } });
  }
}

/** The unused token for this parent, phone and deadline, made when there is none. One statement. */
async function liveTokenId(db: Db, args: IssueArgs, now: Date): Promise<string> {
  return (await liveTokenIds(db, [args], now))[0]!;
}

/**
 * `liveTokenId` for many at once, in order: one statement for a whole claimed batch of SMS (the
 * dispatcher resolves a batch's links together). Messages to the same parent, phone and deadline
 * in one call share one token too.
 */
async function liveTokenIds(db: Db, list: IssueArgs[], now: Date): Promise<string[]> {
  if (list.length === 0) return [];
  const key = (a: { parentId: number; phone: string; expiresAt: Date }) => `${a.parentId}|${a.phone}|${a.expiresAt.getTime()}`;
  const wanted = [...new Map(list.map((a) => [key(a), a])).values()];
  // Columns as in prisma/schema.prisma (LinkToken).
  const rows = await db.$queryRaw<{ parentId: number; phone: string; expiresAt: Date; id: string }[]>`
    WITH wanted AS (
      SELECT * FROM unnest(${wanted.map((a) => a.parentId)}::int[], ${wanted.map((a) => a.phone)}::text[],
                           ${wanted.map((a) => a.expiresAt)}::timestamp(3)[], ${wanted.map(() => newTokenId())}::text[])
        AS w("parentId", phone, "expiresAt", fresh)
    ), live AS (
      SELECT DISTINCT ON (w."parentId", w.phone, w."expiresAt") w."parentId", w.phone, w."expiresAt", t.id
      FROM wanted w JOIN link_tokens t
        ON t."parentId" = w."parentId" AND t.phone = w.phone AND t."expiresAt" = w."expiresAt" AND t."usedAt" IS NULL
      ORDER BY w."parentId", w.phone, w."expiresAt", t."createdAt", t.id
    ), made AS (
      INSERT INTO link_tokens (id, "parentId", phone, "expiresAt", "createdAt")
      SELECT w.fresh, w."parentId", w.phone, w."expiresAt", ${now}::timestamp(3)
      FROM wanted w
      WHERE NOT EXISTS (SELECT 1 FROM live l WHERE l."parentId" = w."parentId" AND l.phone = w.phone AND l."expiresAt" = w."expiresAt")
      RETURNING "parentId", phone, "expiresAt", id
    )
    SELECT "parentId", phone, "expiresAt", id FROM live UNION ALL SELECT "parentId", phone, "expiresAt", id FROM made`;
  const ids = new Map(rows.map((r) => [key(r), r.id]));
  return list.map((a) => ids.get(key(a))!);
}
