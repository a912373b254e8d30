/**
 * Drawing each screen as a neutral message. Screens that show registry data (the kindergarten
 * picker, applications, the stop-list, the stored questionnaire, help) ask for it with an effect
 * and are drawn when the result comes back (see results.ts).
 */
import {
  DIGITAL_SERVICES,
  INSTRUCTION_LANGUAGES,
  OTHER_TEXT_MAX,
  OWNERSHIP_PREFERENCES,
  OWNERSHIP_REASONS,
  PAYMENT_BRACKETS,
  QUESTION_COUNT,
  SECTIONS,
} from '../../questionnaire/catalog.ts';
import type { Draft, KindergartenRef } from '../../questionnaire/answers.ts';
import { kindergartenText } from './kindergarten-label.ts';
import type { Effect } from './effects.ts';
import { questionNumber, type QuestionScreen } from './flow.ts';
import type { Button, Command, Message, Param, Text } from './io.ts';
import { backButton, done, enter, explainButton, menuButton, message, nav, option, text, type StepResult } from './result.ts';
import type { ConversationState, RenderMode } from './state.ts';
import { SUPPORT_FILE_MAX_BYTES } from './support-rules.ts';

export const KINDERGARTEN_PAGE_SIZE = 8;

export interface ShowOptions {
  mode?: RenderMode;
  viewPage?: number;
}

/** Draws the current screen again, or asks for the data to draw it. */
export function show(state: ConversationState, opts: ShowOptions = {}): StepResult {
  const mode = opts.mode ?? 'new';
  const effect = dataEffect(state);
  if (effect) return done({ ...state, render: mode }, [], [effect]);
  const msg = staticMessage(state);
  return done(state, msg ? [{ ...msg, mode, ...(opts.viewPage ? { viewPage: opts.viewPage } : {}) }] : []);
}

function dataEffect(state: ConversationState): Effect | null {
  switch (state.screen) {
    case 'q1':
      return {
        type: 'searchKindergartens',
        query: state.kg.query,
        near: state.kg.near,
        page: state.kg.page,
        pageSize: KINDERGARTEN_PAGE_SIZE,
      };
    case 'applications':
      return { type: 'loadApplications' };
    case 'stopList':
      return { type: 'loadStopListed' };
    case 'myQuestionnaire':
      return { type: 'loadQuestionnaireContext' };
    case 'help':
      return { type: 'loadSeason' };
    default:
      return null;
  }
}

const commandButton = (name: Command, key: string): Button => option(text(key), { type: 'command', name });

export const MENU_BUTTONS: Button[] = [
  commandButton('applications', 'menu.applications'),
  commandButton('extend', 'menu.extend'),
  commandButton('restore', 'menu.restore'),
  commandButton('questionnaire', 'menu.questionnaire'),
  commandButton('write', 'menu.write'),
  commandButton('language', 'menu.language'),
  commandButton('help', 'menu.help'),
];

const progress = (screen: QuestionScreen): Text => text('questionnaire.progress', { n: questionNumber(screen), total: QUESTION_COUNT });

function single<T extends string | number>(values: readonly T[], chosen: T | null, label: (v: T) => Text): Button[] {
  return values.map((v) => option(label(v), { type: 'choose', value: String(v) }, { selected: v === chosen }));
}

/**
 * Multi-select options carry their numbers ("1. Football"), the ones the hint lets the parent
 * type instead of tapping.
 */
function multi<T extends string>(values: readonly T[], chosen: readonly T[], label: (v: T) => Text, describe?: (v: T) => Text | null): Button[] {
  return values.map((v, i) => {
    const on = chosen.includes(v);
    const description = describe?.(v);
    return option(
      text('questionnaire.numbered', { n: i + 1, label: label(v) }),
      { type: 'toggle', value: v, on: !on },
      {
        selected: on,
        ...(description ? { description } : {}),
      },
    );
  });
}

/** Question 6's options come with the portal's one-line descriptions. */
export const hasDescriptions = (screen: string): boolean => screen === 'q6';

const digitalInfo = (v: (typeof DIGITAL_SERVICES)[number]): Text | null => (v === 'other' ? null : text(`options.digitalInfo.${v}`));

const doneButton = (count: number): Button => nav(count === 0 ? text('common.doneNone') : text('common.done'), { type: 'done' });

export const kindergartenName = (k: Pick<KindergartenRef, 'nameKk' | 'nameRu'>, state: ConversationState): string =>
  state.locale === 'kk' ? k.nameKk : k.nameRu;

export const kindergartenLabel = (k: Pick<KindergartenRef, 'number' | 'nameKk' | 'nameRu'>, state: ConversationState): Text =>
  kindergartenText(k.number, kindergartenName(k, state));

/** The chosen kindergartens in the parent's order of preference: "1. №12 Балапан, 2. …". */
export const kindergartenList = (refs: KindergartenRef[], state: ConversationState): Param => ({
  list: refs.map((k, i) => text('q1.ranked', { n: i + 1, label: kindergartenLabel(k, state) })),
});

/** The messages of screens drawn from the state alone; null for data screens. */
export function staticMessage(state: ConversationState): Message | null {
  const d = state.draft;
  switch (state.screen) {
    case 'language':
      return message(
        state,
        [text('language.prompt')],
        [
          option(text('language.kk'), { type: 'choose', value: 'kk' }, { selected: state.locale === 'kk' }),
          option(text('language.ru'), { type: 'choose', value: 'ru' }, { selected: state.locale === 'ru' }),
        ],
      );
    case 'contact':
      return message(state, [text('identify.contactPrompt')], [], { request: 'contact' });
    case 'iin':
      return message(state, [text('identify.iinPrompt')], [backButton()]);
    case 'menu':
      return message(state, [text('menu.title'), ...(state.supportOpen ? [text('support.openNote')] : [])], MENU_BUTTONS);
    case 'support':
      return message(
        state,
        [text('support.prompt', { maxMb: SUPPORT_FILE_MAX_BYTES / (1024 * 1024) }), ...(state.supportOpen ? [text('support.openNote')] : [])],
        [state.linked ? menuButton() : backButton()],
      );
    case 'q2':
      return message(
        state,
        [progress('q2'), text('q2.prompt')],
        [...single(OWNERSHIP_PREFERENCES, d.ownership, (v) => text(`options.ownership.${v}`)), backButton()],
      );
    case 'q2why':
      // Asked per option: the wording (and Kazakh's case endings) differ for state and private.
      return message(
        state,
        [progress('q2why'), text('q2.whyPrompt', { context: d.ownership === 'PRIVATE' ? 'PRIVATE' : 'STATE' })],
        [...single(OWNERSHIP_REASONS, d.ownershipReason, (v) => text(`options.reason.${v}`)), backButton()],
      );
    case 'q3':
      return message(
        state,
        [progress('q3'), text('q3.prompt')],
        [...single(INSTRUCTION_LANGUAGES, d.language, (v) => text(`options.language.${v}`)), backButton()],
      );
    case 'q4':
      return message(
        state,
        [progress('q4'), text('q4.prompt'), text('q4.note')],
        [...single(PAYMENT_BRACKETS, d.maxPayment, (v) => text('options.payment', { amount: { amount: v } })), backButton()],
      );
    case 'q5':
      return message(
        state,
        [progress('q5'), text('q5.prompt'), text('questionnaire.multiHint'), ...otherLine(d.sectionsOther)],
        [...multi(SECTIONS, d.sections, (v) => text(`options.sections.${v}`)), doneButton(d.sections.length), backButton()],
      );
    case 'q6':
      return message(
        state,
        [progress('q6'), text('q6.prompt'), text('questionnaire.multiHint'), ...otherLine(d.digitalOther)],
        [
          ...multi(DIGITAL_SERVICES, d.digital, (v) => text(`options.digital.${v}`), digitalInfo),
          explainButton(text(state.explain ? 'q6.hideInfo' : 'q6.info'), { type: 'choose', value: 'explain' }),
          doneButton(d.digital.length),
          backButton(),
        ],
        { details: state.explain ? 'shown' : 'onRequest' },
      );
    case 'q5other':
    case 'q6other':
      return message(state, [progress(state.screen), text('questionnaire.otherPrompt', { max: OTHER_TEXT_MAX })], [backButton()]);
    case 'summary':
      return summaryMessage(state);
    case 'restoreConfirm':
      return message(
        state,
        [text('restore.confirm', { queueNumber: state.restore?.queueNumber ?? 0 })],
        [option(text('restore.confirmButton'), { type: 'choose', value: 'confirm' }), backButton()],
      );
    case 'acceptReferral':
      return message(
        state,
        [text('referral.howTo.title'), text('referral.howTo.steps'), text('referral.howTo.late')],
        [commandButton('applications', 'menu.applications'), menuButton()],
      );
    case 'optOut':
      return message(
        state,
        [text('optOut.confirm')],
        [
          option(bilingual(state, 'optOut.confirmButton'), { type: 'choose', value: 'confirm' }),
          state.locale ? backButton() : nav(text('optOut.backBoth'), { type: 'back' }),
        ],
      );
    default:
      return null;
  }
}

/**
 * A button label in the chat's language; before one is known, its `…Both` text, which reads the
 * same in both locales and fits a WhatsApp title (a label rendered in both languages would not).
 * Only the opt-out needs it: a number can ask to stop before choosing a language.
 */
export const bilingual = (state: ConversationState, key: string): Text => text(state.locale ? key : `${key}Both`);

/** Back from the opt-out confirmation (or after it): to the screen the parent asked from. */
export function leaveOptOut(state: ConversationState): StepResult {
  const target = state.optOutFrom ?? (state.linked ? 'menu' : 'language');
  return show(enter({ ...state, optOutFrom: null }, target));
}

const otherLine = (other: string | null): Text[] => (other ? [text('questionnaire.otherGiven', { text: other })] : []);

function labelled<T extends string>(values: readonly T[], prefix: string, other: string | null): Param {
  if (values.length === 0) return text('summary.none');
  return {
    list: values.map((v) => (v === 'other' && other ? text('summary.other', { text: other }) : text(`${prefix}.${v}`))),
  };
}

/** The answers as summary lines (also used by "My questionnaire"). */
export function answerLines(d: Draft, state: ConversationState): Text[] {
  const ownership: Param =
    d.ownership && d.ownership !== 'ANY' && d.ownershipReason
      ? text('summary.ownershipWithReason', {
          ownership: text(`options.ownership.${d.ownership}`),
          reason: text(`options.reason.${d.ownershipReason}`),
        })
      : text(`options.ownership.${d.ownership ?? 'ANY'}`);
  return [
    text('summary.q1', { value: kindergartenList(d.kindergartens, state) }),
    text('summary.q2', { value: ownership }),
    text('summary.q3', { value: text(`options.language.${d.language ?? 'KK'}`) }),
    text('summary.q4', { value: text('options.payment', { amount: { amount: d.maxPayment ?? 0 } }) }),
    text('summary.q5', { value: labelled(d.sections, 'options.sections', d.sectionsOther) }),
    text('summary.q6', { value: labelled(d.digital, 'options.digital', d.digitalOther) }),
  ];
}

function summaryMessage(state: ConversationState): Message {
  const confirm = state.needExtension > 0 ? text('summary.confirmExtend', { count: state.needExtension }) : text('summary.confirmSave');
  return message(
    state,
    [text('summary.title'), ...answerLines(state.draft, state), text('summary.hint')],
    [
      ...[1, 2, 3, 4, 5, 6].map((n) => nav(text('summary.edit', { n }), { type: 'choose', value: `e${n}` })),
      option(confirm, { type: 'choose', value: 'confirm' }),
      backButton(),
      menuButton(),
    ],
  );
}

/** The option buttons of a screen, in the order typed numbers refer to ("2" = the second). */
export function numberedOptions(state: ConversationState): Button[] {
  const msg = staticMessage(state);
  return msg ? msg.buttons.filter((b) => b.role === 'option') : [];
}
