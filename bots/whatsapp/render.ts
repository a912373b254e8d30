/**
 * The core's neutral outputs as WhatsApp messages, within the platform's limits:
 * - button and row titles in WhatsApp's own wording where the locales give one (`wa.<key>`:
 *   labels written for 20 and 24 characters), cut only as a last resort;
 * - up to 3 buttons → reply buttons (a shortened title's full label goes into the body);
 * - more → a list (10 rows at most; long titles shortened, given whole in the description);
 * - longer option lists → pages of the list with a "More…" row carrying a `page` action, which
 *   the core answers by redrawing the screen with `viewPage` (the slice to show);
 * - the kindergarten picker pages its data itself (`paging`): its page buttons belong to the
 *   core, so the rows that do not fit go into a second message instead;
 * - bodies over the interactive limit are sent as text first, the buttons after with the tail;
 * - a screen repeated unchanged after a notice is not sent again: the chat shows it already;
 * - a location request is the Cloud API's location request message (a "Send location" button);
 * - option descriptions always go into the rows, so the core's "what do these mean" button is left out.
 * Notices are plain texts. Pure: no I/O.
 */
import { encodeAction, type Button, type Message, type Output, type Text } from '../../src/conversation/index.ts';
import type { TextLocale, Translator } from '../../src/i18n/index.ts';
import { LIMITS, shorten, splitText } from './limits.ts';
import type { ListRow, ListSection, OutgoingMessage, ReplyButton } from './transport.ts';

interface Ctx {
  locale: TextLocale;
  tr: Translator;
  /** `tr` with WhatsApp's own wording: titles and row descriptions. */
  titles: Translator;
  focus: string | null;
  shortened: RenderOptions['onShortened'];
}

export interface RenderOptions {
  /**
   * The value of the option just pressed. A toggle redraws its screen without a `viewPage`; the
   * slice holding that option is shown again, so ticking on the second slice stays there.
   */
  focus?: string | null;
  /** Told of every title or description that had to be cut to fit (the screens test fails on any). */
  onShortened?: (full: string, limit: number) => void;
}

/** A button placed on a row, with what is drawn for it. */
interface Placed {
  id: string;
  label: string;
  description?: string;
  nav: boolean;
}

/**
 * The outputs of one conversation step as WhatsApp messages, in `locale` and within the Cloud
 * API's limits (the rules at the top of this file): a screen with up to 3 buttons becomes reply
 * buttons, more a list (paged when over 10 rows), a notice a text; a screen repeated unchanged
 * gives nothing. Button and row ids are the encoded actions (`src/conversation/core/action-codec.ts`),
 * which WhatsApp echoes back. Pure: the transport sends the result in order.
 *
 * @example
 * ```ts
 * import type { Message } from '../../src/conversation/core/io.ts';
 * import { createTranslator } from '../../src/i18n/translator.ts';
 * import { renderOutputs } from './render.ts';
 *
 * const tr = await createTranslator({ portal: 'https://egov.kz', supportPhone: '1414' });
 * const menu: Message = {
 *   kind: 'message',
 *   seq: 7,
 *   mode: 'new',
 *   body: [{ key: 'menu.title' }],
 *   buttons: (['applications', 'extend', 'restore', 'questionnaire', 'help'] as const).map((name) => ({
 *     text: { key: `menu.${name}` },
 *     action: { type: 'command', name },
 *     role: 'option',
 *   })),
 * };
 * const messages = renderOutputs([menu, { kind: 'notice', text: { key: 'common.error' } }], 'kk', tr);
 * // [{ type: 'list', body: 'Басты мәзір. Не істегіңіз келеді?', button: 'Таңдау',
 * //    sections: [{ rows: [{ id: 'x.applications', title: '📋 Менің өтініштерім' }, …] }] },
 * //  { type: 'text', body: 'Бірдеңе дұрыс болмады. …' }]
 * ```
 */
export function renderOutputs(outputs: Output[], locale: TextLocale, tr: Translator, opts: RenderOptions = {}): OutgoingMessage[] {
  const ctx: Ctx = { locale, tr, titles: tr.variant('wa'), focus: opts.focus ?? null, shortened: opts.onShortened };
  return outputs.flatMap((o) => {
    if (o.kind === 'notice') return textMessages(tr.render(locale, o.text));
    return o.mode === 'repeat' ? [] : renderMessage(o, ctx);
  });
}

function renderMessage(m: Message, ctx: Ctx): OutgoingMessage[] {
  const paragraphs = m.body.map((t) => render(ctx, t)).filter((p) => p.trim().length > 0);
  if (m.paging && m.paging.pages > 1) paragraphs.push(t(ctx, 'whatsapp.page', { page: m.paging.page + 1, pages: m.paging.pages }));
  if (m.request === 'location') return withBody(paragraphs, ctx, (body) => ({ type: 'locationRequest', body }));

  const buttons = uniqueById(m);
  if (buttons.length === 0) return textMessages(paragraphs.join('\n\n'));
  // WhatsApp refuses reply buttons with equal titles; labels equal once shortened go as a list.
  if (buttons.length <= LIMITS.replyButtons && distinctTitles(buttons, ctx)) return replyButtons(paragraphs, buttons, m, ctx);
  if (buttons.length <= LIMITS.listRows) return list(paragraphs, placeAll(buttons, m, ctx), m, ctx);
  return m.paging ? dataPagedLists(paragraphs, buttons, m, ctx) : channelPagedList(paragraphs, buttons, m, ctx);
}

// ——— reply buttons ———

function replyButtons(paragraphs: string[], buttons: Button[], m: Message, ctx: Ctx): OutgoingMessage[] {
  const legend: string[] = [];
  const replies: ReplyButton[] = buttons.map((b) => {
    const full = label(b, ctx);
    const title = fit(ctx, full, LIMITS.replyButtonTitle);
    if (title !== full) legend.push(`• ${full}`);
    return { id: encodeAction(m.seq, b.action), title };
  });
  const body = legend.length > 0 ? [...paragraphs, legend.join('\n')] : paragraphs;
  return withBody(body, ctx, (text) => ({ type: 'buttons', body: text, buttons: replies }));
}

function distinctTitles(buttons: Button[], ctx: Ctx): boolean {
  const titles = buttons.map((b) => shorten(label(b, ctx), LIMITS.replyButtonTitle));
  return new Set(titles).size === titles.length;
}

// ——— lists ———

function list(paragraphs: string[], rows: Placed[], m: Message, ctx: Ctx): OutgoingMessage[] {
  const button = fit(ctx, m.listTitle ? ctx.titles.render(ctx.locale, m.listTitle) : ctx.titles.t(ctx.locale, 'common.choose'), LIMITS.listButton);
  const sections = toSections(rows, ctx);
  return withBody(paragraphs, ctx, (text) => ({ type: 'list', body: text, button, sections }));
}

/** Options and actions apart; the platform requires a title on each section when there are two. */
function toSections(rows: Placed[], ctx: Ctx): ListSection[] {
  const row = (p: Placed) => toRow(p, ctx);
  const options = rows.filter((r) => !r.nav).map(row);
  const actions = rows.filter((r) => r.nav).map(row);
  if (options.length === 0 || actions.length === 0) return [{ rows: [...options, ...actions] }];
  return [
    { title: fit(ctx, ctx.titles.t(ctx.locale, 'common.listTitle'), LIMITS.listSectionTitle), rows: options },
    { title: fit(ctx, ctx.titles.t(ctx.locale, 'whatsapp.actions'), LIMITS.listSectionTitle), rows: actions },
  ];
}

function toRow(p: Placed, ctx: Ctx): ListRow {
  const title = fit(ctx, p.label, LIMITS.listRowTitle);
  if (p.description && p.description.length > LIMITS.listRowDescription) ctx.shortened?.(p.description, LIMITS.listRowDescription);
  const description = rowDescription(title === p.label ? null : p.label, p.description ?? null);
  return description ? { id: p.id, title, description } : { id: p.id, title };
}

/**
 * A shortened title is given whole in the description, ahead of the row's details; when both do
 * not fit, the label gives way first, so the details (a kindergarten's ownership, language and
 * demand) are always shown whole.
 */
function rowDescription(label: string | null, details: string | null): string | null {
  const max = LIMITS.listRowDescription;
  const d = details?.trim() || null;
  if (!label) return d ? shorten(d, max) : null;
  if (!d) return shorten(label, max);
  const joined = `${label} — ${d}`;
  if (joined.length <= max) return joined;
  const room = max - d.length - 3;
  return room >= LIMITS.listRowTitle ? `${shorten(label, room)} — ${d}` : shorten(joined, max);
}

function placeAll(buttons: Button[], m: Message, ctx: Ctx): Placed[] {
  return buttons.map((b) => place(b, m, ctx));
}

function place(b: Button, m: Message, ctx: Ctx): Placed {
  const placed: Placed = { id: encodeAction(m.seq, b.action), label: label(b, ctx), nav: b.role === 'nav' };
  if (b.description) placed.description = ctx.titles.render(ctx.locale, b.description);
  return placed;
}

/**
 * A long static option list in slices: each slice shows as many options as fit beside the
 * screen's own actions (Done, Back…) and one paging row — "More…" to the next slice, or back to
 * the first from the last.
 */
function channelPagedList(paragraphs: string[], buttons: Button[], m: Message, ctx: Ctx): OutgoingMessage[] {
  const all = placeAll(buttons, m, ctx);
  let options = all.filter((p) => !p.nav);
  let navs = all.filter((p) => p.nav);
  // A screen with almost only actions pages over everything.
  if (LIMITS.listRows - navs.length - 1 < 2) {
    options = all;
    navs = [];
  }
  const perPage = LIMITS.listRows - navs.length - 1;
  const pages = Math.ceil(options.length / perPage);
  const page = Math.min(Math.max(0, m.viewPage ?? focusedPage(buttons, options, perPage, m, ctx)), pages - 1);
  const from = page * perPage;
  const slice = options.slice(from, from + perPage);
  const target = page < pages - 1 ? page + 1 : 0;
  const targetFrom = target * perPage;
  const pager: Placed = {
    id: encodeAction(m.seq, { type: 'page', page: target }),
    label: t(ctx, target === 0 ? 'whatsapp.firstPage' : 'common.more'),
    description: t(ctx, 'whatsapp.range', {
      from: targetFrom + 1,
      to: Math.min(options.length, targetFrom + perPage),
      total: options.length,
    }),
    nav: true,
  };
  const shown = t(ctx, 'whatsapp.range', { from: from + 1, to: from + slice.length, total: options.length });
  return list([...paragraphs, shown], [...slice, pager, ...navs], m, ctx);
}

/** The slice holding the option just pressed, when a redraw did not say which slice to show. */
function focusedPage(buttons: Button[], options: Placed[], perPage: number, m: Message, ctx: Ctx): number {
  if (ctx.focus === null || m.mode !== 'edit') return 0;
  const pressed = buttons.find((b) => 'value' in b.action && b.action.value === ctx.focus);
  if (!pressed) return 0;
  const index = options.findIndex((p) => p.id === encodeAction(m.seq, pressed.action));
  return index < 0 ? 0 : Math.floor(index / perPage);
}

/**
 * The kindergarten picker: its options and the buttons that matter most while picking (Done, the
 * next and previous data page) in the list; the remaining actions follow in a second message.
 */
function dataPagedLists(paragraphs: string[], buttons: Button[], m: Message, ctx: Ctx): OutgoingMessage[] {
  const all = placeAll(buttons, m, ctx);
  const options = all.filter((p) => !p.nav);
  const navButtons = buttons.filter((b) => b.role === 'nav');
  const current = m.paging?.page ?? 0;
  const priority = (b: Button): number => (b.action.type === 'done' ? 0 : b.action.type === 'page' ? (b.action.page > current ? 1 : 2) : 3);
  const navs = [...navButtons].sort((a, b) => priority(a) - priority(b)).map((b) => place(b, m, ctx));
  const rows = [...options, ...navs];
  const first = rows.slice(0, LIMITS.listRows);
  const out = list(paragraphs, first, m, ctx);
  // Keep the rest in the order the core gave them.
  const firstIds = new Set(first.map((r) => r.id));
  const rest = all.filter((r) => !firstIds.has(r.id));
  for (let i = 0; i < rest.length; i += LIMITS.listRows) {
    const chunk = rest.slice(i, i + LIMITS.listRows);
    const body = [t(ctx, 'whatsapp.moreActions')];
    if (chunk.length <= LIMITS.replyButtons) {
      out.push(...replyRows(body, chunk, ctx));
    } else {
      out.push(...list(body, chunk, m, ctx));
    }
  }
  return out;
}

function replyRows(paragraphs: string[], rows: Placed[], ctx: Ctx): OutgoingMessage[] {
  const legend: string[] = [];
  const replies = rows.map((r) => {
    const title = fit(ctx, r.label, LIMITS.replyButtonTitle);
    if (title !== r.label) legend.push(`• ${r.label}`);
    return { id: r.id, title };
  });
  const body = legend.length > 0 ? [...paragraphs, legend.join('\n')] : paragraphs;
  return withBody(body, ctx, (text) => ({ type: 'buttons', body: text, buttons: replies }));
}

// ——— bodies ———

/**
 * An interactive message with the body's tail paragraphs that fit its limit; what does not fit
 * goes first as plain text (in as many messages as needed).
 */
function withBody(paragraphs: string[], ctx: Ctx, make: (body: string) => OutgoingMessage): OutgoingMessage[] {
  let split = paragraphs.length;
  let size = 0;
  while (split > 0) {
    const next = paragraphs[split - 1]!.length + (size > 0 ? 2 : 0);
    if (size + next > LIMITS.interactiveBody) break;
    size += next;
    split--;
  }
  const head = paragraphs.slice(0, split).join('\n\n');
  const tail = paragraphs.slice(split).join('\n\n');
  return [...textMessages(head), make(tail.trim().length > 0 ? tail : t(ctx, 'whatsapp.chooseBelow'))];
}

function textMessages(text: string): OutgoingMessage[] {
  return splitText(text, LIMITS.textBody).map((body) => ({ type: 'text', body }));
}

// ——— helpers ———

function render(ctx: Ctx, text: Text): string {
  return ctx.tr.render(ctx.locale, text);
}

function t(ctx: Ctx, key: string, params?: Record<string, string | number>): string {
  return ctx.tr.t(ctx.locale, key, params);
}

function label(b: Button, ctx: Ctx): string {
  const text = ctx.titles.render(ctx.locale, b.text);
  return b.selected ? `${t(ctx, 'common.tick')} ${text}` : text;
}

/** `shorten`, telling the caller when a text had to be cut. */
function fit(ctx: Ctx, text: string, max: number): string {
  const out = shorten(text, max);
  if (out !== text.replace(/[ \t\r\n]+/g, ' ').trim()) ctx.shortened?.(text, max);
  return out;
}

/**
 * Reply and row ids must be unique within a message; a repeated action is drawn once. The
 * descriptions are in the rows, so the button that opens them is left out.
 */
function uniqueById(m: Message): Button[] {
  const seen = new Set<string>();
  return m.buttons.filter((b) => {
    if (b.role === 'explain') return false;
    const id = encodeAction(m.seq, b.action);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
