/**
 * The conversation as a pure state machine: step(state, input) → { state, outputs, effects }.
 * Effects ask the runtime for registry data or changes; their results come back as `result` inputs.
 */
import { answersSchema, otherTextSchema } from '../../questionnaire/answers.ts';
import { MAX_KINDERGARTENS, MIN_KINDERGARTENS } from '../../questionnaire/catalog.ts';
import { normalizePhone } from '../../domain/phone.ts';
import { parseIin } from '../../domain/iin.ts';
import { isCommand } from './action-codec.ts';
import { firstUnanswered, isQuestion, nextAfter, previous, questionScreen, type QuestionScreen } from './flow.ts';
import type { Effect } from './effects.ts';
import type { Action, Command, Input } from './io.ts';
import { andThen, done, enter, message, notice, text, type StepResult } from './result.ts';
import { onResult } from './results.ts';
import { hasDescriptions, leaveOptOut, numberedOptions, show } from './screens.ts';
import type { ConversationState, Screen } from './state.ts';
import { pickNumbers } from './typed-numbers.ts';
import { isStopWord } from './stop-words.ts';
import { findLinkCode } from '../../domain/link-code.ts';
import { keepsTypedText, SUPPORT_TEXT_MAX } from './support-rules.ts';

/**
 * One move of one chat's conversation: the stored state and one input in; the next state, the
 * outputs to show and the effects to carry out out. Pure: no clock, database or platform, so the
 * same state and input always give the same result. A stale or forged button, or text where a
 * button is expected, is answered with a notice and leaves the state where it was.
 *
 * Effects (`identifyPhone`, `verifyIin`, `submitQuestionnaire`, …) are requests: whoever runs the
 * step (`ConversationRuntime.handle` in runtime.ts) carries them out in order and feeds each result
 * back in as a `{ type: 'result' }` input, until a step asks for none.
 *
 * @param state - the chat's conversation as stored (`initialState()` for a chat never seen)
 * @param input - what the parent did, as the channel turned it into a neutral input
 * @returns the next state, the outputs (screens and notices) and the effects
 *
 * @example
 * ```ts
 * import { initialState } from './state.ts';
 * import { step } from './step.ts';
 *
 * // /start from a Telegram client set to Russian: the language choice, Russian preselected.
 * const started = step(initialState(), { type: 'start', languageHint: 'ru-RU' });
 * started.state.screen; // 'language'
 *
 * // «Русский» pressed: a button carries the seq of its screen, so an old keyboard is recognised.
 * const chosen = step(started.state, { type: 'action', seq: started.state.seq, action: { type: 'choose', value: 'ru' } });
 * chosen.state.screen; // 'contact'
 *
 * // The parent's own contact: the step asks for the phone to be looked up in the registry…
 * const shared = step(chosen.state, { type: 'contact', phone: '+7 701 000 00 01', own: true });
 * shared.effects; // [{ type: 'identifyPhone', phone: '+77010000001' }]
 *
 * // …and the answer comes back as an input: the parent is asked for the IIN.
 * const found = step(shared.state, { type: 'result', result: { type: 'phoneIdentified', found: true, lockedUntil: null } });
 * found.state.screen; // 'iin'
 * ```
 */
export function step(state: ConversationState, input: Input): StepResult {
  switch (input.type) {
    case 'start':
      return onStart(state, input.languageHint ?? null, input.link ?? null);
    case 'command':
      return onCommand(state, input.name);
    case 'result':
      return onResult(state, input.result);
    case 'badAction':
      return stale(state);
    case 'action':
      if (input.action.type === 'command') return onCommand(state, input.action.name);
      if (input.seq !== state.seq) return stale(state);
      return onAction(state, input.action);
    case 'text':
      return onText(state, input.text);
    case 'contact':
      if (!input.own) return retry(state, 'identify.notOwnContact');
      return onPhone(state, input.phone);
    case 'verifiedPhone':
      return onPhone(state, input.phone);
    case 'location':
      if (state.screen !== 'q1') return retry(state, 'common.locationNotExpected');
      return show({ ...state, kg: { ...state.kg, near: input.point, query: null, page: 0 } });
    case 'attachment':
      if (state.screen !== 'support' && !state.supportOpen) return retry(state, 'support.attachHint');
      if ((input.file.caption?.length ?? 0) > SUPPORT_TEXT_MAX) return retry(state, 'support.tooLong', { max: SUPPORT_TEXT_MAX });
      return done(state, [], [{ type: 'supportAttachment', file: input.file }]);
    case 'unsupported':
      return retry(state, 'common.useButtons');
    case 'templateStop':
      return done(state, [], [{ type: 'optOut', source: 'template' }]);
  }
}

/**
 * A short notice, then the current screen again, unchanged: the conversation stays where it was
 * (a channel that knows the chat still shows the screen need not send it again).
 */
function retry(state: ConversationState, key: string, params?: Record<string, string | number>): StepResult {
  return andThen(done(state, [notice(key, params)]), (s) => show(s, { mode: 'repeat' }));
}

const stale = (state: ConversationState): StepResult => retry(state, 'common.stale');

function onStart(state: ConversationState, hint: string | null, link: string | null = null): StepResult {
  if (state.linked && state.locale) return show(enter({ ...state, editing: false }, 'menu'));
  const code = hint?.toLowerCase().slice(0, 2);
  const locale = code === 'kk' || code === 'ru' ? code : state.locale;
  // A linked chat ignores links: the token stays unused, and the parent is where /start leads.
  if (link && !state.linked) return done({ ...state, locale }, [], [{ type: 'redeemLink', token: link }]);
  return show(enter({ ...state, locale, phone: null }, 'language'));
}

const identificationScreens: Screen[] = ['language', 'contact', 'iin'];

function onCommand(state: ConversationState, name: Command): StepResult {
  if (name === 'start') return onStart(state, null);
  if (name === 'language') return show(enter(state, 'language'));
  // Before identification too: a WhatsApp number gets the outreach meant for its registry parents.
  if (name === 'stop') return show(enter({ ...state, optOutFrom: state.screen === 'optOut' ? state.optOutFrom : state.screen }, 'optOut'));
  if (name === 'notify') return done(state, [], [{ type: 'optIn' }]);
  // Before identification too: "my IIN is not found" is among the reasons to write.
  if (name === 'write') return show(enter({ ...state, editing: false }, state.locale ? 'support' : 'language'));
  // How to accept a referral needs no identification: a referral template's button may come first.
  if (name === 'accept') return show(enter(state, 'acceptReferral'));
  if (name === 'help') {
    // Before identification help is shown without leaving the identification step.
    return state.linked ? show(enter(state, 'help')) : done(state, [], [{ type: 'loadSeason' }]);
  }
  if (!state.linked) {
    // A proven phone waits for its IIN: the IIN is asked again only if identification is not
    // locked meanwhile (the lock is shown with its end instead).
    if (state.phone) return done(state, [], [{ type: 'identifyPhone', phone: state.phone }]);
    // With a language known (chosen, or the client's), identification goes on with the number.
    const back =
      state.screen === 'language' && state.locale
        ? enter(state, 'contact')
        : identificationScreens.includes(state.screen)
          ? state
          : enter(state, state.locale ? 'contact' : 'language');
    return andThen(done(back, [notice('identify.first')]), (s) => show(s));
  }
  const base: ConversationState = { ...state, editing: false };
  switch (name) {
    case 'menu':
    case 'cancel':
      return show(enter({ ...base, restore: name === 'cancel' ? null : base.restore }, 'menu'));
    case 'applications':
      return show(enter(base, 'applications'));
    case 'extend':
      return done({ ...base, screen: 'menu', seq: base.seq + 1 }, [], [{ type: 'loadQuestionnaireContext' }]);
    case 'restore':
      return show(enter({ ...base, restore: null }, 'stopList'));
    case 'questionnaire':
      return show(enter(base, 'myQuestionnaire'));
  }
}

function onPhone(state: ConversationState, raw: string): StepResult {
  if (state.linked) return retry(state, 'identify.alreadyLinked');
  if (state.screen !== 'contact' && state.screen !== 'iin') return retry(state, 'common.useButtons');
  const phone = normalizePhone(raw);
  if (!phone) return retry(state, 'identify.badPhone');
  return done({ ...state, phone }, [], [{ type: 'identifyPhone', phone }]);
}

function onText(state: ConversationState, raw: string): StepResult {
  const input = raw.trim();
  if (input.startsWith('/')) {
    const name = input.slice(1).split(/[@\s]/)[0]?.toLowerCase();
    return isCommand(name) ? onCommand(state, name) : retry(state, 'common.unknownCommand');
  }
  if (input.length === 0) return retry(state, 'common.useButtons');
  if (isStopWord(input)) return onCommand(state, 'stop');
  if (state.screen === 'support') return toSupport(state, input);
  // A WhatsApp deep link prefills the parent's first message with its code.
  const link = state.linked ? null : findLinkCode(input);
  if (link) return onStart(state, null, link);
  switch (state.screen) {
    case 'language':
      // The very first message of a chat (WhatsApp starts that way) simply opens the conversation.
      if (state.seq === 0) return onStart(state, null);
      break;
    case 'contact':
      if (!state.supportOpen) return retry(state, 'identify.useContactButton');
      break;
    case 'iin':
      return onIin(state, input);
    case 'q1':
      return show({ ...state, kg: { ...state.kg, query: input.slice(0, 100), near: null, page: 0 } }, { mode: 'refresh' });
    case 'q5':
    case 'q6':
      return onTypedToggles(state, input);
    case 'q5other':
    case 'q6other':
      return onOtherText(state, input);
  }
  const chosen = typedOption(state, input);
  if (chosen) return onAction(state, chosen);
  // With a conversation open, what the screen has no use for is meant for the department.
  if (state.supportOpen && !keepsTypedText(state.screen)) return toSupport(state, input);
  return retry(state, 'common.useButtons');
}

function toSupport(state: ConversationState, input: string): StepResult {
  if (input.length > SUPPORT_TEXT_MAX) return retry(state, 'support.tooLong', { max: SUPPORT_TEXT_MAX });
  return done(state, [], [{ type: 'supportMessage', text: input }]);
}

/** "2" typed on a single-choice screen chooses the second option. */
function typedOption(state: ConversationState, input: string): Action | null {
  if (!/^\d{1,2}$/.test(input)) return null;
  return numberedOptions(state)[Number(input) - 1]?.action ?? null;
}

function onIin(state: ConversationState, input: string): StepResult {
  if (!state.phone) return show(enter(state, 'contact'));
  const parsed = parseIin(input);
  if (!parsed.ok) return retry(state, `identify.iinInvalid.${parsed.error}`);
  return done(state, [], [{ type: 'verifyIin', phone: state.phone, iin: parsed.iin }]);
}

function onAction(state: ConversationState, action: Action): StepResult {
  if (action.type === 'command') return onCommand(state, action.name);
  if (action.type === 'page' && state.screen !== 'q1') return show(state, { mode: 'edit', viewPage: action.page });
  const screen = state.screen;
  if (screen === 'language') return onLanguage(state, action);
  if (action.type === 'back') return onBack(state);
  if (screen === 'summary') return onSummary(state, action);
  if (screen === 'restoreConfirm') return onRestoreConfirm(state, action);
  if (screen === 'optOut') return onOptOutConfirm(state, action);
  if (screen === 'stopList' && action.type === 'choose') return onRestoreChoice(state, action.value);
  if (isQuestion(screen)) return onQuestion(state, screen, action);
  return stale(state);
}

function onLanguage(state: ConversationState, action: Action): StepResult {
  if (action.type !== 'choose' || !isOneOf(action.value, ['kk', 'ru'])) return stale(state);
  const locale = action.value;
  const next: ConversationState = { ...state, locale };
  const effects: Effect[] = [{ type: 'setLocale', locale }];
  if (next.linked) return andThen(done(next, [], effects), (s) => show(enter(s, 'menu')));
  // A phone already proven (by a deep link, or a contact before /language) goes on to the IIN.
  if (next.phone) return done(next, [], [...effects, { type: 'identifyPhone', phone: next.phone }]);
  return andThen(done(next, [], effects), (s) => show(enter(s, 'contact')));
}

function onBack(state: ConversationState): StepResult {
  const screen = state.screen;
  if (screen === 'iin') return show(enter({ ...state, phone: null }, 'contact'));
  if (isQuestion(screen) || screen === 'summary') {
    const target = previous(screen, state);
    return show(enter({ ...state, editing: target === 'summary' ? false : state.editing }, target));
  }
  if (screen === 'restoreConfirm') return show(enter({ ...state, restore: null }, 'stopList'));
  if (screen === 'optOut') return leaveOptOut(state);
  // Back from writing before identification: identification goes on where it can.
  if (screen === 'support' && !state.linked) return show(enter(state, state.locale ? 'contact' : 'language'));
  return show(enter(state, state.linked ? 'menu' : 'language'));
}

/** Moves on after an answer: the next question, or the summary. */
const advance = (state: ConversationState, from: QuestionScreen): StepResult => {
  const target = nextAfter(from, state);
  return show(enter({ ...state, editing: target === 'summary' ? false : state.editing }, target));
};

function onQuestion(state: ConversationState, screen: QuestionScreen, action: Action): StepResult {
  const d = state.draft;
  switch (screen) {
    case 'q1':
      return onKindergartenAction(state, action);
    case 'q2':
      if (action.type !== 'choose' || !isOneOf(action.value, ['ANY', 'STATE', 'PRIVATE'])) return stale(state);
      return advance({ ...state, draft: { ...d, ownership: action.value, ownershipReason: action.value === 'ANY' ? null : d.ownershipReason } }, 'q2');
    case 'q2why':
      if (action.type !== 'choose' || !isOneOf(action.value, ['QUALITY', 'COST'])) return stale(state);
      return advance({ ...state, draft: { ...d, ownershipReason: action.value } }, 'q2why');
    case 'q3':
      if (action.type !== 'choose' || !isOneOf(action.value, ['KK', 'RU'])) return stale(state);
      return advance({ ...state, draft: { ...d, language: action.value } }, 'q3');
    case 'q4': {
      const amount = action.type === 'choose' ? Number(action.value) : NaN;
      const parsed = answersSchema.shape.maxPayment.safeParse(amount);
      if (!parsed.success) return stale(state);
      return advance({ ...state, draft: { ...d, maxPayment: parsed.data } }, 'q4');
    }
    case 'q5':
    case 'q6':
      return onMultiAction(state, screen, action);
    case 'q5other':
    case 'q6other':
      return stale(state);
  }
}

function onKindergartenAction(state: ConversationState, action: Action): StepResult {
  const selected = state.draft.kindergartens;
  switch (action.type) {
    case 'toggle': {
      const id = Number(action.value);
      if (!action.on) {
        const kept = selected.filter((k) => k.id !== id);
        return show({ ...state, draft: { ...state.draft, kindergartens: kept } }, { mode: 'edit' });
      }
      if (selected.some((k) => k.id === id)) return show(state, { mode: 'edit' });
      const ref = state.kg.visible.find((k) => k.id === id);
      if (!ref) return stale(state);
      if (selected.length >= MAX_KINDERGARTENS) return retryEdit(state, 'q1.max', { max: MAX_KINDERGARTENS });
      return show({ ...state, draft: { ...state.draft, kindergartens: [...selected, ref] } }, { mode: 'edit' });
    }
    case 'page':
      return show({ ...state, kg: { ...state.kg, page: Math.max(0, action.page) } }, { mode: 'edit' });
    case 'choose':
      if (action.value === 'clear') return show({ ...state, kg: { ...state.kg, query: null, near: null, page: 0 } }, { mode: 'edit' });
      if (action.value === 'near') return done(state, [message(state, [text('q1.shareLocation')], [], { request: 'location' })]);
      return stale(state);
    case 'done':
      if (selected.length < MIN_KINDERGARTENS) return retryEdit(state, 'q1.min', { count: MIN_KINDERGARTENS });
      return advance(state, 'q1');
    default:
      return stale(state);
  }
}

/** A notice and the same screen redrawn in place (a refused toggle). */
function retryEdit(state: ConversationState, key: string, params: Record<string, number>): StepResult {
  return andThen(done(state, [notice(key, params)]), (s) => show(s, { mode: 'edit' }));
}

type MultiKey = {
  list: 'sections' | 'digital';
  other: 'sectionsOther' | 'digitalOther';
  done: 'sectionsDone' | 'digitalDone';
  otherScreen: 'q5other' | 'q6other';
};
const MULTI: Record<'q5' | 'q6', MultiKey> = {
  q5: { list: 'sections', other: 'sectionsOther', done: 'sectionsDone', otherScreen: 'q5other' },
  q6: { list: 'digital', other: 'digitalOther', done: 'digitalDone', otherScreen: 'q6other' },
};

function onMultiAction(state: ConversationState, screen: 'q5' | 'q6', action: Action): StepResult {
  const m = MULTI[screen];
  if (action.type === 'done') return advance({ ...state, draft: { ...state.draft, [m.done]: true } }, screen);
  if (action.type === 'choose' && action.value === 'explain' && hasDescriptions(screen)) {
    return show({ ...state, explain: !state.explain }, { mode: 'edit' });
  }
  if (action.type !== 'toggle') return stale(state);
  const valid = numberedOptions(state).some((b) => b.action.type === 'toggle' && b.action.value === action.value);
  if (!valid) return stale(state);
  if (action.value === 'other' && action.on) return show(enter(state, m.otherScreen));
  return show(setOption(state, m, action.value, action.on), { mode: 'edit' });
}

function setOption(state: ConversationState, m: MultiKey, value: string, on: boolean): ConversationState {
  const current = state.draft[m.list] as string[];
  const list = on ? (current.includes(value) ? current : [...current, value]) : current.filter((v) => v !== value);
  const draft = { ...state.draft, [m.list]: list };
  if (value === 'other' && !on) draft[m.other] = null;
  return { ...state, draft };
}

/**
 * "1, 4, 7" typed on a multi-choice question chooses exactly those options: a parent who types
 * numbers means "these", whatever was ticked before. "Other" among them keeps its text, or asks
 * for one; "Other" left out drops it.
 */
function onTypedToggles(state: ConversationState, input: string): StepResult {
  const screen = state.screen as 'q5' | 'q6';
  const m = MULTI[screen];
  const values = numberedOptions(state).map((b) => ('value' in b.action ? b.action.value : ''));
  const picked = pickNumbers(input, values.length);
  if (!picked) return retry(state, 'questionnaire.badNumbers', { max: values.length });
  const chosen = picked.map((n) => values[n - 1]!);
  const wantsOther = chosen.includes('other');
  const hasOtherText = state.draft[m.other] !== null;
  const list = chosen.filter((v) => v !== 'other' || hasOtherText);
  const next: ConversationState = {
    ...state,
    draft: { ...state.draft, [m.list]: list, ...(wantsOther ? {} : { [m.other]: null }) },
  };
  if (wantsOther && !hasOtherText) return show(enter(next, m.otherScreen));
  return show(next, { mode: 'refresh' });
}

function onOtherText(state: ConversationState, input: string): StepResult {
  const m = MULTI[state.screen === 'q5other' ? 'q5' : 'q6'];
  const parsed = otherTextSchema.safeParse(input);
  if (!parsed.success) return retry(state, 'questionnaire.otherInvalid', { max: 200 });
  const withOther = setOption(state, m, 'other', true);
  return advance({ ...withOther, draft: { ...withOther.draft, [m.other]: parsed.data } }, state.screen as QuestionScreen);
}

function onSummary(state: ConversationState, action: Action): StepResult {
  if (action.type !== 'choose') return stale(state);
  const edit = /^e([1-6])$/.exec(action.value);
  if (edit) {
    const target = questionScreen(Number(edit[1]))!;
    return show(enter({ ...state, editing: true }, target));
  }
  if (action.value !== 'confirm') return stale(state);
  const answers = answersSchema.safeParse({ ...state.draft, sectionsDone: undefined, digitalDone: undefined });
  if (!answers.success) {
    const target = firstUnanswered(state.draft);
    return andThen(done(state, [notice('summary.incomplete')]), (s) => show(enter(s, target === 'summary' ? 'q1' : target)));
  }
  return done(state, [], [{ type: 'submitQuestionnaire', answers: answers.data }]);
}

/**
 * Only an application of the stop-list as last drawn for this chat can be chosen: a forged press
 * naming any other gets the same "not found" as a missing one, and its number is never echoed.
 */
function onRestoreChoice(state: ConversationState, value: string): StepResult {
  const m = /^a(\d{1,9})$/.exec(value);
  const chosen = m ? state.stopList.find((a) => a.id === Number(m[1])) : undefined;
  if (!chosen) return retry(state, 'restore.notFound');
  return show(enter({ ...state, restore: chosen }, 'restoreConfirm'));
}

function onRestoreConfirm(state: ConversationState, action: Action): StepResult {
  if (action.type !== 'choose' || action.value !== 'confirm' || !state.restore) return stale(state);
  return done(state, [], [{ type: 'restoreApplication', applicationId: state.restore.id }]);
}

function onOptOutConfirm(state: ConversationState, action: Action): StepResult {
  if (action.type !== 'choose' || action.value !== 'confirm') return stale(state);
  return done(state, [], [{ type: 'optOut', source: 'bot' }]);
}

function isOneOf<T extends string>(value: string, values: readonly T[]): value is T {
  return (values as readonly string[]).includes(value);
}
