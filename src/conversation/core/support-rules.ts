/**
 * When free text goes to the education department (the parent's open support conversation) and
 * when the screen keeps it: screens that ask for typed input keep it — an IIN, a kindergarten
 * search, option numbers, an "other" answer — so writing to the department never steals an answer.
 */
import type { Screen } from './state.ts';

/** Attachments above it are refused before they are downloaded (where the platform says the size) or while. */
export const SUPPORT_FILE_MAX_BYTES = 5 * 1024 * 1024;

/** Longer messages are refused with a notice (the console shows whole messages; a wall of text is abuse). */
export const SUPPORT_TEXT_MAX = 4000;

const TYPED_INPUT_SCREENS: ReadonlySet<Screen> = new Set<Screen>(['iin', 'q1', 'q5', 'q6', 'q5other', 'q6other']);

/** Free text on this screen is the screen's own input, not a message to the department. */
export const keepsTypedText = (screen: Screen): boolean => TYPED_INPUT_SCREENS.has(screen);
