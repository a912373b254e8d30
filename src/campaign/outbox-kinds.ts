/**
 * The campaign's outbox vocabulary, shared by the planner, the purge and the dispatcher: row kinds,
 * the opening-day reminder's marker and the dedupe keys that make planning idempotent.
 */

export const REMINDER = 'REMINDER';
export const STOPLIST_NOTICE = 'STOPLIST_NOTICE';
export type CampaignKind = typeof REMINDER | typeof STOPLIST_NOTICE;

/**
 * The education department's desk (src/services/support.ts): an operator's reply, the close of a
 * conversation, and on WhatsApp the template that opens a closed window ("you have an answer").
 * Sent whatever the parent's campaign opt-out: the parent asked.
 */
export const SUPPORT_REPLY = 'SUPPORT_REPLY';
export const SUPPORT_CLOSED = 'SUPPORT_CLOSED';
export const SUPPORT_NUDGE = 'SUPPORT_NUDGE';
export type SupportKind = typeof SUPPORT_REPLY | typeof SUPPORT_CLOSED | typeof SUPPORT_NUDGE;
export const SUPPORT_KINDS: readonly string[] = [SUPPORT_REPLY, SUPPORT_CLOSED, SUPPORT_NUDGE];
/**
 * The `error` of a desk reply (or close) held until the parent's WhatsApp window opens again:
 * the parent's next message releases it (services/reachability.ts, `recordInboundActivity`).
 */
export const AWAITING_WINDOW = 'awaiting-window';

export const isSupportKind = (kind: string): kind is SupportKind => SUPPORT_KINDS.includes(kind);

/**
 * `offsetDays` of the opening-day reminder. Offsets are days before the deadline (0 = the
 * deadline's own day), so a negative value can never collide with a configured one.
 */
export const OPENING_OFFSET = -1;

/** "open" for the opening-day reminder, "d30" for 30 days before the deadline. */
export function offsetTag(offsetDays: number): string {
  return offsetDays === OPENING_OFFSET ? 'open' : `d${offsetDays}`;
}

/**
 * Notices of registry events (src/import/registry-events.ts): `REGISTRY_` + the event's kind.
 * Planned by the import in its transaction, one row per linked chat of the parent.
 */
export const REGISTRY_EVENT_KINDS = ['REFERRAL_ISSUED', 'REFERRAL_LAPSED', 'ENROLLED', 'WITHDRAWN', 'NEW_APPLICATION'] as const;
export type RegistryEventKind = (typeof REGISTRY_EVENT_KINDS)[number];
export const REGISTRY_NOTICE_PREFIX = 'REGISTRY_';
export type RegistryNoticeKind = `REGISTRY_${RegistryEventKind}`;

export function registryEventOf(outboxKind: string): RegistryEventKind | null {
  if (!outboxKind.startsWith(REGISTRY_NOTICE_PREFIX)) return null;
  const k = outboxKind.slice(REGISTRY_NOTICE_PREFIX.length);
  return (REGISTRY_EVENT_KINDS as readonly string[]).includes(k) ? (k as RegistryEventKind) : null;
}

/** A referral lapses within days: its notices go at once, only never at night (quiet-hours.ts). */
export const URGENT_EVENT_KINDS: ReadonlySet<RegistryEventKind> = new Set(['REFERRAL_ISSUED', 'REFERRAL_LAPSED']);

/** What a registry notice's payload holds: the event as the import saw it. */
export interface RegistryNoticePayload {
  eventId: number;
  queueNumber: number;
  status: string;
  kindergartenId: number | null;
  group: string | null;
  /** ISO instant; null when the registry gave none. */
  acceptBy: string | null;
}
