/**
 * Drawing the screens that show registry data, when the data an effect asked for comes back, and
 * reacting to the outcome of identification, extension and restore.
 */
import { MAX_KINDERGARTENS, QUESTION_COUNT } from '../../questionnaire/catalog.ts';
import { emptyDraft } from '../../questionnaire/answers.ts';
import type { EffectResult } from './effects.ts';
import { draftFromAnswers, firstUnanswered, isPristine, resumeAt } from './flow.ts';
import type { Button, Message, Text } from './io.ts';
import { andThen, backButton, done, enter, menuButton, message, nav, notice, option, text, type StepResult } from './result.ts';
import { answerLines, bilingual, KINDERGARTEN_PAGE_SIZE, kindergartenLabel, kindergartenList, leaveOptOut, show } from './screens.ts';
import type { ConversationState } from './state.ts';
import type { ApplicationView, KindergartenView, SeasonView } from './views.ts';
import type { SupportHours } from './effects.ts';
import { SUPPORT_FILE_MAX_BYTES } from './support-rules.ts';

export function onResult(state: ConversationState, result: EffectResult): StepResult {
  switch (result.type) {
    case 'phoneIdentified':
      if (result.lockedUntil) return done(state, [lockedMessage(state, result.lockedUntil)]);
      if (!result.found) {
        return andThen(done({ ...state, phone: null }, [msg(state, 'identify.phoneNotFound')]), (s) => show(s));
      }
      return show(enter(state, 'iin'));
    case 'iinVerified':
      // The phone stays: further IINs are answered "locked" by the service until the lock ends.
      if (result.outcome === 'locked') return done(state, [lockedMessage(state, result.lockedUntil)]);
      if (result.outcome === 'mismatch') {
        return andThen(done(state, [notice('identify.iinMismatch', { count: result.attemptsLeft })]), (s) => show(s, { mode: 'repeat' }));
      }
      return andThen(done({ ...state, linked: true, phone: null }, [msg(state, 'identify.welcome')]), (s) => show(enter(s, 'menu')));
    case 'applicationsLoaded':
      return drawn(state, [applicationsMessage(state, result.items, result.season)]);
    case 'questionnaireContextLoaded':
      return state.screen === 'myQuestionnaire' ? drawn(state, [storedMessage(state, result)]) : startQuestionnaire(state, result);
    case 'kindergartensFound':
      return kindergartenPage(state, result);
    case 'questionnaireSubmitted':
      return submitted(state, result.extended, result.validUntil);
    case 'stopListedLoaded':
      return stopListScreen(state, result.items);
    case 'restoreResult':
      return restored(state, result);
    case 'seasonLoaded':
      return helpScreen(state, result.season);
    case 'notLinked':
      return andThen(done({ ...state, linked: false, phone: null, restore: null }, [msg(state, 'identify.relink')]), (s) =>
        show(enter(s, s.locale ? 'contact' : 'language')),
      );
    case 'linkRedeemed':
      return linkRedeemed(state, result);
    case 'optedOut':
      return optedOut(state, result);
    case 'supportRecorded':
      return supportRecorded(state, result);
    case 'optedIn': {
      const note = msg(state, result.parents === 0 ? 'optOut.nothing' : 'optIn.done');
      return andThen(done(state, [note]), (s) => show(s, { mode: 'repeat' }));
    }
  }
}

/**
 * A deep link redeemed: the registry phone is proven for the chat as the contact step would
 * prove it, in the parent's registry language, and the IIN is asked. Refused: one polite text
 * whatever the reason, then the usual identification — a chat that already holds a proven phone
 * keeps it (its IIN is asked again), so a parent tapping the same link twice is not sent back
 * to the contact step.
 */
function linkRedeemed(state: ConversationState, r: Extract<EffectResult, { type: 'linkRedeemed' }>): StepResult {
  if (r.phone === null) {
    const refused = done(state, [notice('link.invalid')]);
    const phone = state.linked ? null : state.phone;
    if (phone) return andThen(refused, (s) => done(s, [], [{ type: 'identifyPhone', phone }]));
    return andThen(refused, (s) => show(enter({ ...s, phone: null }, 'language')));
  }
  const next: ConversationState = { ...state, locale: r.locale ?? state.locale, phone: r.phone };
  const welcome = done(next, [msg(next, 'link.accepted')]);
  if (!next.locale) return andThen(welcome, (s) => show(enter(s, 'language')));
  return andThen(welcome, (s) => done(s, [], [{ type: 'identifyPhone', phone: r.phone! }]));
}

/**
 * Stored (or nobody to store it for). A chat with no language of its own speaks its parent's from
 * now on. After the confirmation the parent is back where they asked from; after a template's
 * Stop nothing more is said.
 */
function optedOut(state: ConversationState, r: Extract<EffectResult, { type: 'optedOut' }>): StepResult {
  const next: ConversationState = { ...state, locale: state.locale ?? r.locale };
  const note =
    r.parents === 0
      ? msg(next, 'optOut.nothing')
      : message(next, [text('optOut.done')], [option(bilingual(next, 'optOut.resumeButton'), { type: 'command', name: 'notify' })]);
  const told = done(next, [note]);
  return next.screen === 'optOut' ? andThen(told, leaveOptOut) : told;
}

/** A data screen drawn as `show` asked (new, an edit, a repeat…); the next drawing is new again. */
function drawn(state: ConversationState, messages: Message[]): StepResult {
  const mode = state.render;
  return done(
    { ...state, render: 'new' },
    messages.map((m) => (m.buttons.length > 0 ? { ...m, mode } : m)),
  );
}

/** A plain informational message with no buttons. */
const msg = (state: ConversationState, key: string, params?: Text['params']): Message => message(state, [text(key, params)], []);

const lockedMessage = (state: ConversationState, until: string | null): Message =>
  msg(state, 'identify.locked', { until: { date: until ?? new Date(0).toISOString(), withTime: true } });

function startQuestionnaire(state: ConversationState, ctx: Extract<EffectResult, { type: 'questionnaireContextLoaded' }>): StepResult {
  if (!ctx.season) return andThen(done(state, [msg(state, 'questionnaire.noSeason')]), (s) => show(enter(s, 'menu')));
  const resumed = !isPristine(state.draft);
  const draft = !resumed && ctx.stored ? draftFromAnswers(ctx.stored.answers) : state.draft;
  const fresh: ConversationState = { ...state, draft, needExtension: ctx.needExtension, editing: false };
  // Resumed on the question the parent was on, ticks kept; a stored questionnaire opens at its summary.
  const target = resumed ? resumeAt(state) : firstUnanswered(draft);
  // Left from the summary's Edit with everything answered: the answer goes back to the summary.
  const next: ConversationState = { ...fresh, editing: resumed && firstUnanswered(draft) === 'summary' && target !== 'summary' };
  const intro = resumed
    ? text('questionnaire.resume')
    : ctx.needExtension > 0
      ? text('questionnaire.intro', { count: ctx.needExtension, deadline: { date: ctx.season.deadline, withTime: true } })
      : text('questionnaire.introNothingToExtend', { validUntil: { date: ctx.season.validUntil } });
  return andThen(done(next, [message(next, [intro], [])]), (s) => show(enter(s, target)));
}

function kindergartenPage(state: ConversationState, found: Extract<EffectResult, { type: 'kindergartensFound' }>): StepResult {
  const pages = Math.max(1, Math.ceil(found.total / KINDERGARTEN_PAGE_SIZE));
  const selected = state.draft.kindergartens;
  const visible = found.items.map(({ id, number, nameKk, nameRu }) => ({ id, number, nameKk, nameRu }));
  const next: ConversationState = { ...state, kg: { ...state.kg, page: found.page, visible }, render: 'new' };

  const body: Text[] = [
    text('questionnaire.progress', { n: 1, total: QUESTION_COUNT }),
    text('q1.prompt', { max: MAX_KINDERGARTENS }),
    text('q1.note'),
    selected.length > 0 ? text('q1.selected', { list: kindergartenList(selected, state) }) : text('q1.noneSelected'),
  ];
  if (state.kg.query) body.push(text('q1.searchResults', { query: state.kg.query, count: found.total }));
  if (state.kg.near) body.push(text('q1.sortedByDistance'));
  if (found.total === 0) body.push(text('q1.nothingFound'));

  const buttons: Button[] = found.items.map((k) => {
    const on = selected.some((s) => s.id === k.id);
    return option(kindergartenLabel(k, state), { type: 'toggle', value: String(k.id), on: !on }, { selected: on, description: kindergartenDetails(k) });
  });
  // Any chosen kindergarten can be taken off the list from here, whatever page or search shows.
  selected.forEach((k, i) =>
    buttons.push(nav(text('q1.remove', { n: i + 1, label: kindergartenLabel(k, state) }), { type: 'toggle', value: String(k.id), on: false })),
  );
  if (found.page > 0) buttons.push(nav(text('common.prev'), { type: 'page', page: found.page - 1 }));
  if (found.page < pages - 1) buttons.push(nav(text('common.next'), { type: 'page', page: found.page + 1 }));
  buttons.push(nav(text('q1.nearMe'), { type: 'choose', value: 'near' }));
  if (state.kg.query || state.kg.near) buttons.push(nav(text('q1.clearSearch'), { type: 'choose', value: 'clear' }));
  buttons.push(nav(selected.length > 0 ? text('q1.done', { count: selected.length }) : text('common.done'), { type: 'done' }));
  buttons.push(backButton());

  return done(next, [{ ...message(next, body, buttons), mode: state.render, paging: { page: found.page, pages } }]);
}

function kindergartenDetails(k: KindergartenView): Text {
  const params = {
    ownership: text(`kindergarten.ownership.${k.ownership}`),
    languages: { list: k.languages.map((l) => text(`kindergarten.language.${l}`)) },
    demand: k.demand,
    capacity: k.capacity,
  };
  return k.distanceKm === null
    ? text('kindergarten.details', params)
    : text('kindergarten.detailsWithDistance', { ...params, distance: { decimal: k.distanceKm, digits: 1 } });
}

function submitted(state: ConversationState, extended: number, validUntil: string | null): StepResult {
  const cleared: ConversationState = { ...state, draft: emptyDraft(), editing: false, needExtension: 0, questionAt: null };
  const note = extended > 0 && validUntil ? msg(state, 'extend.done', { count: extended, validUntil: { date: validUntil } }) : msg(state, 'extend.saved');
  return andThen(done(cleared, [note]), (s) => show(enter(s, s.restore ? 'restoreConfirm' : 'menu')));
}

function restored(state: ConversationState, r: Extract<EffectResult, { type: 'restoreResult' }>): StepResult {
  switch (r.outcome) {
    case 'restored':
      return andThen(done({ ...state, restore: null }, [msg(state, 'restore.done', { validUntil: { date: r.validUntil ?? '' } })]), (s) =>
        show(enter(s, 'menu')),
      );
    case 'needsQuestionnaire':
      // Keep `restore`: after the questionnaire is submitted the restore confirmation comes back.
      return andThen(done(state, [msg(state, 'restore.needsQuestionnaire')]), (s) =>
        done({ ...s, screen: 'menu' }, [], [{ type: 'loadQuestionnaireContext' }]),
      );
    case 'notAllowed':
    case 'notFound':
    case 'noSeason':
      return andThen(done({ ...state, restore: null }, [msg(state, `restore.${r.outcome}`)]), (s) => show(enter(s, 'menu')));
  }
}

function applicationsMessage(state: ConversationState, items: ApplicationView[], season: SeasonView | null): Message {
  if (items.length === 0) return message(state, [text('applications.none')], [menuButton()]);
  const body: Text[] = [text('applications.title', { count: items.length })];
  for (const a of items) body.push(applicationLine(state, a, season));
  const buttons: Button[] = [];
  if (items.some((a) => a.needsExtension)) buttons.push(option(text('menu.extend'), { type: 'command', name: 'extend' }));
  if (items.some((a) => a.status === 'STOP_LISTED')) buttons.push(option(text('menu.restore'), { type: 'command', name: 'restore' }));
  buttons.push(menuButton());
  return message(state, body, buttons);
}

function applicationLine(state: ConversationState, a: ApplicationView, season: SeasonView | null): Text {
  let status: Text;
  if (a.status === 'ACTIVE' && a.needsExtension && season) {
    status = text('applications.status.needsExtension', { deadline: { date: season.deadline, withTime: true } });
  } else if (a.status === 'ACTIVE') {
    status = text('applications.status.ACTIVE', { validUntil: { date: a.validUntil } });
  } else if (a.status === 'STOP_LISTED') {
    status = text('applications.status.STOP_LISTED', { since: { date: a.stopListedAt ?? a.validUntil } });
  } else if (a.status === 'REFERRED' && a.referral?.kindergarten) {
    const k = a.referral.kindergarten;
    const where = { kindergarten: kindergartenLabel(k, state), address: state.locale === 'kk' ? k.addressKk : k.addressRu };
    status = a.referral.acceptBy
      ? text('applications.status.referredBy', { ...where, acceptBy: { date: a.referral.acceptBy } })
      : text('applications.status.referredTo', where);
  } else {
    status = text(`applications.status.${a.status}`);
  }
  return text('applications.item', {
    queueNumber: a.queueNumber,
    child: a.childName,
    category: text(`applications.category.${a.category}`),
    registeredAt: { date: a.registeredAt },
    status,
    kindergartens: a.kindergartens.length > 0 ? { list: a.kindergartens.map((k) => kindergartenLabel(k, state)) } : text('summary.none'),
  });
}

/** The list drawn is kept in the state: only its applications can be chosen next. */
function stopListScreen(state: ConversationState, items: ApplicationView[]): StepResult {
  const next: ConversationState = { ...state, stopList: items.slice(0, 50).map(({ id, queueNumber }) => ({ id, queueNumber })) };
  return drawn(next, [stopListMessage(next, items)]);
}

function stopListMessage(state: ConversationState, items: ApplicationView[]): Message {
  if (items.length === 0) return message(state, [text('restore.none')], [menuButton()]);
  return message(
    state,
    [
      text('restore.title'),
      ...items.map((a) => text('restore.item', { queueNumber: a.queueNumber, child: a.childName, since: { date: a.stopListedAt ?? a.validUntil } })),
      text('restore.choose'),
    ],
    [...items.map((a) => option(text('restore.option', { queueNumber: a.queueNumber }), { type: 'choose', value: `a${a.id}` })), menuButton()],
  );
}

function storedMessage(state: ConversationState, ctx: Extract<EffectResult, { type: 'questionnaireContextLoaded' }>): Message {
  if (!ctx.stored) {
    return message(state, [text('myQuestionnaire.none')], [option(text('menu.extend'), { type: 'command', name: 'extend' }), menuButton()]);
  }
  const s = ctx.stored;
  return message(
    state,
    [
      text('myQuestionnaire.title', { season: s.seasonCode }),
      ...answerLines(draftFromAnswers(s.answers), state),
      text('myQuestionnaire.dates', {
        submittedAt: { date: s.submittedAt, withTime: true },
        updatedAt: { date: s.updatedAt, withTime: true },
        channel: text(`channel.${s.channel}`),
      }),
    ],
    [option(text('myQuestionnaire.edit'), { type: 'command', name: 'extend' }), menuButton()],
  );
}

/** Help; before a language is chosen it is followed by the language choice instead of a button. */
function helpScreen(state: ConversationState, season: SeasonView | null): StepResult {
  const body: Text[] = [text('help.purge')];
  body.push(season ? text('help.deadline', { deadline: { date: season.deadline, withTime: true } }) : text('help.noSeason'));
  body.push(text('help.portal'));
  if (!state.locale) return andThen(done(state, [message(state, body, [])]), (s) => show(enter(s, 'language')));
  const buttons: Button[] = [
    state.linked ? menuButton() : nav(text('common.continue'), { type: 'command', name: 'menu' }),
    nav(text('menu.write'), { type: 'command', name: 'write' }),
  ];
  return drawn(state, [message(state, body, buttons)]);
}

/** The department's hours as the parent reads them: when to expect an answer. */
function hoursText(h: SupportHours): Text {
  return h.openNow
    ? text('support.hoursOpen', { from: h.from, to: h.to, count: h.answerWithinHours })
    : text('support.hoursClosed', { from: h.from, to: h.to });
}

function supportRecorded(state: ConversationState, r: Extract<EffectResult, { type: 'supportRecorded' }>): StepResult {
  switch (r.outcome) {
    case 'recorded': {
      const next: ConversationState = { ...state, supportOpen: true };
      if (!r.opened) return done(next, [notice('support.added')]);
      return done(next, [message(next, [text('support.received'), hoursText(r.hours)], next.linked ? [menuButton()] : [])]);
    }
    case 'slowDown':
      return done(state, [notice('support.slowDown')]);
    case 'slowDownQuiet':
      // Told once a minute, not once per message: a flood gets no flood back.
      return done(state);
    case 'fileTooBig':
      return done(state, [notice('support.fileTooBig', { maxMb: SUPPORT_FILE_MAX_BYTES / (1024 * 1024) })]);
    case 'fileType':
      return done(state, [notice('support.fileType')]);
    case 'fileFailed':
      return done(state, [notice('support.fileFailed')]);
  }
}
