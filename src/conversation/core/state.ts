import { z } from 'zod';
import { draftSchema, emptyDraft, kindergartenRefSchema } from '../../questionnaire/answers.ts';

export const SCREENS = [
  'language',
  'contact',
  'iin',
  'menu',
  'applications',
  'q1',
  'q2',
  'q2why',
  'q3',
  'q4',
  'q5',
  'q5other',
  'q6',
  'q6other',
  'summary',
  'stopList',
  'restoreConfirm',
  'myQuestionnaire',
  'help',
  /** Confirming an opt-out of the channel's campaign messages. */
  'optOut',
  /** Writing to the education department (src/services/support.ts). */
  'support',
  /** How to accept a referral: the referral notice's button leads here. */
  'acceptReferral',
] as const;
export type Screen = (typeof SCREENS)[number];

/** The screens that ask a question of the questionnaire (flow.ts orders them). */
export const QUESTION_SCREENS = ['q1', 'q2', 'q2why', 'q3', 'q4', 'q5', 'q5other', 'q6', 'q6other'] as const;
export type QuestionScreen = (typeof QUESTION_SCREENS)[number];

/**
 * How the next drawing of the current screen goes out (Message.mode in io.ts): a new message, an
 * edit of the pressed one, the same screen with changed content after typed input, or the same
 * screen unchanged after a notice.
 */
export const RENDER_MODES = ['new', 'edit', 'refresh', 'repeat'] as const;
export type RenderMode = (typeof RENDER_MODES)[number];

/**
 * The version of the stored shape below. A release that changes the shape bumps it and adds the
 * step from the previous version in state-versions.ts, so stored conversations move forward
 * instead of starting over.
 */
export const STATE_VERSION = 4;

const geoPointSchema = z.object({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) });

export const applicationRefSchema = z.object({ id: z.number().int().positive(), queueNumber: z.number().int().positive() });

/** The whole conversation of one chat. Persisted as JSON with its version; validated on every load. */
export const conversationStateSchema = z.object({
  v: z.literal(STATE_VERSION),
  /** Screen instance counter: buttons carry it, so a press on an older screen is recognised. */
  seq: z.number().int().nonnegative(),
  locale: z.enum(['kk', 'ru']).nullable(),
  screen: z.enum(SCREENS),
  /** The proven phone, waiting for the IIN step. */
  phone: z.string().nullable(),
  linked: z.boolean(),
  draft: draftSchema,
  /** Answering a question from the summary's Edit: return to the summary afterwards. */
  editing: z.boolean(),
  /** The question (or the summary) the parent was last on: an unfinished questionnaire resumes there. */
  questionAt: z.enum([...QUESTION_SCREENS, 'summary']).nullable(),
  /** The kindergarten picker's search, page and location. */
  kg: z.object({
    query: z.string().max(100).nullable(),
    near: geoPointSchema.nullable(),
    page: z.number().int().nonnegative(),
    /** The kindergartens on the page last drawn: only these can be ticked (guards forged ids). */
    visible: z.array(kindergartenRefSchema).max(20),
  }),
  /** Applications the parent may extend now; shown on the confirm button. */
  needExtension: z.number().int().nonnegative(),
  /** The stop-listed applications last shown: only these can be chosen for restoring (guards forged ids). */
  stopList: z.array(applicationRefSchema).max(50),
  /** The stop-listed application chosen for restoring; after the questionnaire the restore resumes. */
  restore: applicationRefSchema.nullable(),
  /** The options' descriptions are shown on a screen that keeps them behind a button (question 6 on Telegram). */
  explain: z.boolean(),
  render: z.enum(RENDER_MODES),
  /** The screen the parent asked to stop messages from: confirming or going back returns there. */
  optOutFrom: z.enum(SCREENS).exclude(['optOut']).nullable(),
  /**
   * A conversation with the education department is open: free text the current screen has no
   * use for goes to it, wherever the parent is. Closed by an operator (services/support.ts).
   */
  supportOpen: z.boolean(),
});
export type ConversationState = z.infer<typeof conversationStateSchema>;

export const initialState = (): ConversationState => ({
  v: STATE_VERSION,
  seq: 0,
  locale: null,
  screen: 'language',
  phone: null,
  linked: false,
  draft: emptyDraft(),
  editing: false,
  questionAt: null,
  kg: { query: null, near: null, page: 0, visible: [] },
  needExtension: 0,
  stopList: [],
  restore: null,
  explain: false,
  render: 'new',
  optOutFrom: null,
  supportOpen: false,
});
