/**
 * When a reminder may interrupt a chat (issue 21): not while the parent is using the bot. A
 * "N days left — extend" landing in the middle of a conversation pushes the screen the parent is
 * answering out of view and asks them to do what they are already doing.
 *
 * Rules (pure; the dispatcher reads the activity of its whole claimed batch in one statement):
 * - A chat's last activity is the later of its conversation's last move and its last inbound
 *   message. A time later than `now` (another instance's clock, a platform's timestamp) counts as
 *   `now`, so a wrong timestamp holds a reminder back no longer than the rule below allows.
 * - A chat is busy for QUIET_MS (1 h) after its last activity.
 * - A chat whose conversation rests inside the questionnaire (q1 … summary) is busy for
 *   QUESTIONNAIRE_QUIET_MS (12 h) after its last activity. A parent who stepped away mid-way (to
 *   look up a kindergarten, to ask the other parent) usually comes back the same day; a reminder in
 *   between only repeats what they are doing. Half a day later the questionnaire counts as
 *   abandoned, and that parent needs the reminder most: one left yesterday or earlier is reminded
 *   at once. With the usual window (09:00–20:00) 12 h after a daytime session falls in the night,
 *   so the reminder goes at the next morning's opening: one night late at most, well inside the
 *   spacing of the reminder offsets (and a later offset supersedes it, see outbox/row-context.ts).
 * - A busy chat's reminder goes at the next opening of the daytime window at or after the moment
 *   the chat stops being busy: later than that it would wait for no reason, earlier it would be
 *   claimed and held back again on every tick.
 * - Any reminder claimed outside the daytime window (a retry's backoff, a backlog running past the
 *   evening) waits for the next opening as well: reminders are never sent at night (docs/product.md §5.2).
 */
import { QUESTION_SCREENS, type Screen } from '../conversation/core/state.ts';
import { isWithinWindow, nextWindowOpening, type DaytimeWindow } from './schedule.ts';

export const QUIET_MS = 60 * 60_000;
export const QUESTIONNAIRE_QUIET_MS = 12 * 60 * 60_000;

/**
 * The questionnaire's screens (conversation/core/flow.ts `isQuestion`, and its summary), from the
 * conversation's own list.
 */
const QUESTIONNAIRE_SCREENS: ReadonlySet<string> = new Set<Screen>([...QUESTION_SCREENS, 'summary']);

/** What is known of a chat's activity; every field may be missing (a chat that never wrote). */
export interface ChatActivity {
  /** The conversation's last move (conversation_states."updatedAt"). */
  movedAt: Date | null;
  /** The conversation's screen (`state->>'screen'`, nothing else of its JSON is read). */
  screen: string | null;
  /** The chat's last inbound message (chat_links."lastInboundAt"). */
  lastInboundAt: Date | null;
}

export const inQuestionnaire = (screen: string | null): boolean => screen !== null && QUESTIONNAIRE_SCREENS.has(screen);

/** Until when the chat is busy, or null when it is not busy at `now`. */
export function busyUntil(activity: ChatActivity, now: Date): Date | null {
  const times = [activity.movedAt, activity.lastInboundAt].filter((t): t is Date => t !== null).map((t) => t.getTime());
  if (times.length === 0) return null;
  const last = Math.min(Math.max(...times), now.getTime());
  const until = last + (inQuestionnaire(activity.screen) ? QUESTIONNAIRE_QUIET_MS : QUIET_MS);
  return until > now.getTime() ? new Date(until) : null;
}

export type HoldReason = 'busy' | 'night';

export interface ReminderHold {
  /** Due again from this instant: always inside the daytime window. */
  until: Date;
  reason: HoldReason;
}

/** Whether a reminder claimed at `now` must wait, and until when; null: it goes now. */
export function reminderHold(activity: ChatActivity, now: Date, window: DaytimeWindow): ReminderHold | null {
  const busy = busyUntil(activity, now);
  if (busy) return { until: nextWindowOpening(busy, window), reason: 'busy' };
  if (!isWithinWindow(now, window)) return { until: nextWindowOpening(now, window), reason: 'night' };
  return null;
}
