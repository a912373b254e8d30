/**
 * The order of the questionnaire: which question follows or precedes another, where an unfinished
 * draft resumes, and which question number a screen shows. Pure rules, no I/O.
 */
import type { Answers, Draft } from '../../questionnaire/answers.ts';
import type { ConversationState, QuestionScreen, Screen } from './state.ts';

export type { QuestionScreen };

const NUMBER: Record<QuestionScreen, number> = {
  q1: 1,
  q2: 2,
  q2why: 2,
  q3: 3,
  q4: 4,
  q5: 5,
  q5other: 5,
  q6: 6,
  q6other: 6,
};

export const isQuestion = (screen: Screen): screen is QuestionScreen => screen in NUMBER;
export const questionNumber = (screen: QuestionScreen): number => NUMBER[screen];

/** The screen that asks question `n` (1–6), as entered from the summary's Edit. */
export const questionScreen = (n: number): QuestionScreen | null =>
  (({ 1: 'q1', 2: 'q2', 3: 'q3', 4: 'q4', 5: 'q5', 6: 'q6' }) as Record<number, QuestionScreen>)[n] ?? null;

const needsReason = (draft: Draft): boolean => draft.ownership === 'STATE' || draft.ownership === 'PRIVATE';

/** Where a draft resumes: the first question without an answer, or the summary when all are answered. */
export function firstUnanswered(draft: Draft): QuestionScreen | 'summary' {
  if (draft.kindergartens.length === 0) return 'q1';
  if (draft.ownership === null) return 'q2';
  if (needsReason(draft) && draft.ownershipReason === null) return 'q2why';
  if (draft.language === null) return 'q3';
  if (draft.maxPayment === null) return 'q4';
  if (!draft.sectionsDone) return 'q5';
  if (!draft.digitalDone) return 'q6';
  return 'summary';
}

/** Where a question screen is resumed: a free-text step ("Other") resumes on its question. */
export const resumePoint = (screen: QuestionScreen): QuestionScreen => (screen === 'q5other' ? 'q5' : screen === 'q6other' ? 'q6' : screen);

const ORDER: (QuestionScreen | 'summary')[] = ['q1', 'q2', 'q2why', 'q3', 'q4', 'q5', 'q6', 'summary'];

/**
 * Where an unfinished questionnaire resumes: the question (or the summary) the parent was on,
 * unless an earlier question is still unanswered — then that one.
 */
export function resumeAt(state: ConversationState): QuestionScreen | 'summary' {
  const first = firstUnanswered(state.draft);
  const at = state.questionAt === null || state.questionAt === 'summary' ? state.questionAt : resumePoint(state.questionAt);
  if (at === null || ORDER.indexOf(at) > ORDER.indexOf(first)) return first;
  return at;
}

/** The screen after an answered question: the next question, or the summary when editing from it. */
export function nextAfter(screen: QuestionScreen, state: ConversationState): QuestionScreen | 'summary' {
  const { draft } = state;
  if (screen === 'q2' && needsReason(draft)) return 'q2why';
  if (screen === 'q5other') return 'q5';
  if (screen === 'q6other') return 'q6';
  if (state.editing) return firstUnanswered(draft);
  const order: (QuestionScreen | 'summary')[] = ['q1', 'q2', 'q3', 'q4', 'q5', 'q6', 'summary'];
  const from = screen === 'q2why' ? 'q2' : screen;
  return order[order.indexOf(from) + 1] ?? 'summary';
}

/** Back: the previous question; from the first one, or from an answer edited from the summary, out. */
export function previous(screen: QuestionScreen | 'summary', state: ConversationState): Screen {
  if (screen === 'q5other') return 'q5';
  if (screen === 'q6other') return 'q6';
  if (screen === 'q2why') return 'q2';
  if (state.editing && screen !== 'summary') return 'summary';
  switch (screen) {
    case 'q1':
      return 'menu';
    case 'q2':
      return 'q1';
    case 'q3':
      return needsReason(state.draft) ? 'q2why' : 'q2';
    case 'q4':
      return 'q3';
    case 'q5':
      return 'q4';
    case 'q6':
      return 'q5';
    case 'summary':
      return 'q6';
  }
}

export function isPristine(draft: Draft): boolean {
  return (
    draft.kindergartens.length === 0 &&
    draft.ownership === null &&
    draft.language === null &&
    draft.maxPayment === null &&
    !draft.sectionsDone &&
    !draft.digitalDone
  );
}

export function draftFromAnswers(a: Answers): Draft {
  return {
    kindergartens: a.kindergartens,
    ownership: a.ownership,
    ownershipReason: a.ownershipReason,
    language: a.language,
    maxPayment: a.maxPayment,
    sections: a.sections,
    sectionsOther: a.sectionsOther,
    sectionsDone: true,
    digital: a.digital,
    digitalOther: a.digitalOther,
    digitalDone: true,
  };
}
