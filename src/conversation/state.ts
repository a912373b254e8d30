import { z } from 'zod';
import { draftSchema, emptyDraft, kindergartenRefSchema } from '../questionnaire/answers.ts';

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
] as const;
export type Screen = (typeof SCREENS)[number];

const geoPointSchema = z.object({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) });

/** The whole conversation of one chat. Persisted as JSON with a version; validated on every load. */
export const conversationStateSchema = z.object({
  v: z.literal(1),
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
  /** The stop-listed application chosen for restoring; after the questionnaire the restore resumes. */
  restore: z.object({ id: z.number().int().positive(), queueNumber: z.number().int().positive() }).nullable(),
  /** How the next data-driven redraw goes out: a fresh message or an edit of the pressed one. */
  render: z.enum(['new', 'edit']),
});
export type ConversationState = z.infer<typeof conversationStateSchema>;

export const initialState = (): ConversationState => ({
  v: 1,
  seq: 0,
  locale: null,
  screen: 'language',
  phone: null,
  linked: false,
  draft: emptyDraft(),
  editing: false,
  kg: { query: null, near: null, page: 0, visible: [] },
  needExtension: 0,
  restore: null,
  render: 'new',
});
