/**
 * The campaign's outbox vocabulary, shared by the planner, the purge and the dispatcher: row kinds,
 * the opening-day reminder's marker and the dedupe keys that make planning idempotent.
 */

export const REMINDER = 'REMINDER';
export const STOPLIST_NOTICE = 'STOPLIST_NOTICE';
export type CampaignKind = typeof REMINDER | typeof STOPLIST_NOTICE;

/**
 * `offsetDays` of the opening-day reminder. Offsets are days before the deadline (0 = the
 * deadline's own day), so a negative value can never collide with a configured one.
 */
export const OPENING_OFFSET = -1;

/** "open" for the opening-day reminder, "d30" for 30 days before the deadline. */
export function offsetTag(offsetDays: number): string {
  return offsetDays === OPENING_OFFSET ? 'open' : `d${offsetDays}`;
}

/** What a reminder row's payload holds; the text itself is rendered at send time. */
export interface ReminderPayload {
  offsetDays: number;
}

/** What a stop-list notice row's payload holds: frozen at the purge, as the template needs them. */
export interface StopListPayload {
  purgeRunId: number;
  queueNumbers: number[];
  /** ISO instant the applications were moved to the stop-list. */
  stopListedAt: string;
}
