/**
 * What the dispatcher must know about each claimed row before sending it, read for the whole batch
 * in one statement (the claim's hot path: no query per row): the chat's link, the chat's activity
 * (busy-chats.ts) and whether a later reminder superseded the row.
 *
 * Superseded: a reminder held back (a busy chat, the tier cap, a retry) can still be waiting when
 * the planner enqueues the season's next offset for the same chat; the parent should get one
 * reminder, not two in a row. Checked here at send time rather than at planning, because at
 * planning the older row may be claimed at that very moment (a held reminder and the next offset
 * both fall due at the morning's opening) and would go out anyway. Whatever became of the later
 * row (sent, waiting, cancelled because the parent extended), the older one is not needed.
 * "Later" is a higher id: the planner only ever enqueues the latest due offset, so within one
 * season and chat ids grow with the offsets (one row per offset and chat: the dedupe key).
 */
import type { Locale } from '../../generated/prisma/enums.ts';
import type { Db } from '../../services/db.ts';
import type { ChatActivity } from '../busy-chats.ts';
import { REMINDER, SUPPORT_KINDS } from '../outbox-kinds.ts';

/** `error` of a reminder cancelled because a later one of its season was planned for the chat. */
export const SUPERSEDED = 'superseded by a later reminder';

export interface RowContext {
  /** Null when the chat is no longer linked. */
  link: { locale: Locale; unreachableAt: Date | null; lastInboundAt: Date | null } | null;
  activity: ChatActivity;
  superseded: boolean;
  /** The parent asked to stop messages on the row's channel. */
  optedOut: boolean;
  /**
   * For a row to a registry phone (outreach.ts): the parent's language, whether the consent for the
   * row's channel still stands, whether a chat of theirs is reachable now (then the chat gets the
   * reminder instead), and whether the address was found unreachable this season.
   */
  parent: { locale: Locale | null; consent: boolean; chatReachable: boolean; undeliverable: boolean };
  /** For the support desk's rows: the thread's language and the parent's last message in it. */
  thread: { locale: Locale; lastParentAt: Date } | null;
}

interface ContextRow {
  id: number;
  linked: boolean;
  locale: Locale | null;
  unreachableAt: Date | null;
  lastInboundAt: Date | null;
  movedAt: Date | null;
  screen: string | null;
  superseded: boolean;
  optedOut: boolean;
  parentLocale: Locale | null;
  consent: boolean;
  chatReachable: boolean;
  undeliverable: boolean;
  threadLocale: Locale | null;
  threadLastParentAt: Date | null;
}

/**
 * Per claimed row id. Only `state->>'screen'` of the conversation is read: the rest of its JSON
 * belongs to the conversation module and changes shape between releases. The later-reminder probe
 * walks the outbox's (channel, "chatId", status) index; one chat has a handful of rows.
 */
export async function rowContexts(db: Db, ids: number[]): Promise<Map<number, RowContext>> {
  if (ids.length === 0) return new Map();
  const rows = await db.$queryRaw<ContextRow[]>`
    SELECT o.id, cl.id IS NOT NULL AS linked, cl.locale::text AS locale, cl."unreachableAt", cl."lastInboundAt",
           c."updatedAt" AS "movedAt", c.state->>'screen' AS screen,
           (o.kind = ${REMINDER}::text AND EXISTS (
             SELECT 1 FROM outbox n
             WHERE n.channel = o.channel AND n."chatId" = o."chatId" AND n.kind = ${REMINDER}::text
               AND n."seasonId" = o."seasonId" AND n.id > o.id
           )) AS superseded,
           EXISTS (SELECT 1 FROM notification_opt_outs x WHERE x."parentId" = o."parentId" AND x.channel = o.channel) AS "optedOut",
           p.locale::text AS "parentLocale",
           COALESCE(CASE o.channel WHEN 'WHATSAPP' THEN p."notifyWhatsapp" WHEN 'SMS' THEN p."notifySms" ELSE true END, false) AS consent,
           EXISTS (SELECT 1 FROM chat_links r WHERE r."parentId" = o."parentId" AND r."unreachableAt" IS NULL
                     AND r.channel IN ('TELEGRAM'::"Channel", 'WHATSAPP'::"Channel")) AS "chatReachable",
           EXISTS (SELECT 1 FROM undeliverable_addresses u WHERE u.channel = o.channel AND u.address = o."chatId" AND u."seasonId" = o."seasonId") AS undeliverable,
           st.locale::text AS "threadLocale", st."lastParentAt" AS "threadLastParentAt"
    FROM outbox o
    LEFT JOIN chat_links cl ON cl.channel = o.channel AND cl."chatId" = o."chatId"
    LEFT JOIN conversation_states c ON c.channel = o.channel AND c."chatId" = o."chatId"
    LEFT JOIN parents p ON p.id = o."parentId"
    LEFT JOIN support_threads st ON o.kind = ANY(${SUPPORT_KINDS as string[]}::text[]) AND st.id = (CASE WHEN o.payload->>'threadId' ~ '^[0-9]{1,9}$' THEN (o.payload->>'threadId')::int END)
    WHERE o.id = ANY(${ids}::int[])`;
  return new Map(
    rows.map((r) => [
      r.id,
      {
        link: r.linked ? { locale: r.locale!, unreachableAt: r.unreachableAt, lastInboundAt: r.lastInboundAt } : null,
        activity: { movedAt: r.movedAt, screen: r.screen, lastInboundAt: r.lastInboundAt },
        superseded: r.superseded,
        optedOut: r.optedOut,
        parent: { locale: r.parentLocale, consent: r.consent, chatReachable: r.chatReachable, undeliverable: r.undeliverable },
        thread: r.threadLocale && r.threadLastParentAt ? { locale: r.threadLocale, lastParentAt: r.threadLastParentAt } : null,
      },
    ]),
  );
}
