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
 * The stop link of an SMS (`<PUBLIC_URL>/stop/<token>`) names the same row with a signature of its
 * own; it neither expires nor gets used up (stopping twice is stopping), see stop-page.ts.
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

export const STOP_PATH = '/stop/';

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
  describe(): { deepLinks: boolean; telegram: boolean; whatsapp: boolean; stopLinks: boolean } {
    const on = this.enabled;
    return { deepLinks: on, telegram: on && this.telegramBot !== null, whatsapp: on && this.targets.whatsappNumber !== null, stopLinks: on && this.targets.publicUrl !== null };
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

  /** The SMS's stop link (`<PUBLIC_URL>/stop/<token>`), or null when links or PUBLIC_URL are off. */
  async stopUrl(db: Db, args: IssueArgs, now: Date): Promise<string | null> {
    if (!this.secret || !this.targets.publicUrl || args.expiresAt.getTime() <= now.getTime()) return null;
    return `${this.targets.publicUrl}${STOP_PATH}${signToken(this.secret, 'stop', await liveTokenId(db, args, now))}`;
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

  /** The parent a stop link names; null for a forged or unknown token. */
  async stopParent(db: Db, token: string): Promise<number | null> {
    const id = this.secret ? verifyToken(this.secret, 'stop', token) : null;
    if (id === null) return null;
    const row = await db.linkToken.findUnique({ where: { id }, select: { parentId: true } });
    return row?.parentId ?? null;
  }
}

/** The unused token for this parent, phone and deadline, made when there is none. One statement. */
async function liveTokenId(db: Db, args: IssueArgs, now: Date): Promise<string> {
  // Columns as in prisma/schema.prisma (LinkToken).
  const rows = await db.$queryRaw<{ id: string }[]>`
    WITH live AS (
      SELECT id FROM link_tokens
      WHERE "parentId" = ${args.parentId} AND phone = ${args.phone} AND "expiresAt" = ${args.expiresAt}::timestamp(3) AND "usedAt" IS NULL
      ORDER BY "createdAt", id
      LIMIT 1
    ), made AS (
      INSERT INTO link_tokens (id, "parentId", phone, "expiresAt", "createdAt")
      SELECT ${newTokenId()}, ${args.parentId}, ${args.phone}, ${args.expiresAt}::timestamp(3), ${now}::timestamp(3)
      WHERE NOT EXISTS (SELECT 1 FROM live)
      RETURNING id
    )
    SELECT id FROM live UNION ALL SELECT id FROM made`;
  return rows[0]!.id;
}
