/**
 * The link a message to a registry phone carries: an SMS links to its page (src/links/sms-page.ts),
 * which offers both bots through the parent's deep links and the stop button — issued per claimed
 * row by the link service for the row's parent, phone and season. WhatsApp templates to a registry
 * phone need none: their Extend button opens the conversation on that very number.
 *
 * A reminder's link works until the deadline; a stop-list notice's for NOTICE_LINK_DAYS after it is
 * sent, so the parent can still come and restore.
 */
import type { Db } from '../../services/db.ts';
import type { LinkService } from '../../links/links.ts';
import { registryEventOf, STOPLIST_NOTICE } from '../outbox-kinds.ts';
import type { ClaimedRow } from './claim.ts';

/** Per row id, the link to put in the message; rows without one are left out. */
export type DeepLinkResolver = (rows: ClaimedRow[], now: Date) => Promise<Map<number, string>>;

export const NOTICE_LINK_DAYS = 30;

export function deepLinksFor(db: Db, links: LinkService): DeepLinkResolver {
  return async (rows, now) => {
    const out = new Map<number, string>();
    // Registry notices (a referral) belong to no season: their link lasts NOTICE_LINK_DAYS.
    const sms = rows.filter((r) => r.channel === 'SMS' && r.parentId !== null && (r.seasonId !== null || registryEventOf(r.kind) !== null));
    if (sms.length === 0 || !links.describe().smsPages) return out;
    const seasons = new Map(
      (
        await db.season.findMany({
          where: { id: { in: [...new Set(sms.flatMap((r) => (r.seasonId === null ? [] : [r.seasonId])))] } },
          select: { id: true, deadline: true },
        })
      ).map((s) => [s.id, s.deadline]),
    );
    const noticeUntil = new Date(now.getTime() + NOTICE_LINK_DAYS * 86_400_000);
    const wanted = sms.flatMap((r) => {
      if (r.seasonId === null) return [{ row: r.id, args: { parentId: r.parentId!, phone: `+${r.chatId}`, expiresAt: noticeUntil } }];
      const deadline = seasons.get(r.seasonId);
      if (!deadline) return [];
      const expiresAt = r.kind === STOPLIST_NOTICE && noticeUntil > deadline ? noticeUntil : deadline;
      return [{ row: r.id, args: { parentId: r.parentId!, phone: `+${r.chatId}`, expiresAt } }];
    });
    const urls = await links.smsPageUrls(
      db,
      wanted.map((w) => w.args),
      now,
    );
    wanted.forEach((w, i) => urls[i] && out.set(w.row, urls[i]));
    return out;
  };
}
