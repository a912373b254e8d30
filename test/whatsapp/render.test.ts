import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { LIMITS, shorten, splitText } from '../../bots/whatsapp/limits.ts';
import { renderOutputs } from '../../bots/whatsapp/render.ts';
import type { OutgoingMessage } from '../../bots/whatsapp/transport.ts';
import { decodeAction, encodeAction } from '../../src/conversation/core/action-codec.ts';
import type { Action, Button, Message, Text } from '../../src/conversation/core/io.ts';
import { createTranslator, type Translator } from '../../src/i18n/translator.ts';
import { validateMessage } from '../../test-support/fakes/graph-api.ts';

let real: Translator;
/** Real texts, plus "raw" texts that render as their `s` parameter (arbitrary labels for tests). */
let tr: Translator;
beforeAll(async () => {
  real = await createTranslator({ portal: 'https://egov.kz', supportPhone: '1414' });
  tr = {
    ...real,
    render: (locale, t) => (t.key === 'raw' ? String(t.params?.['s']) : real.variant('wa').render(locale, t)),
    variant: () => tr,
  };
});

const raw = (s: string): Text => ({ key: 'raw', params: { s } });
const opt = (label: string, value: string, extra: Partial<Button> = {}): Button => ({
  text: raw(label),
  action: { type: 'choose', value },
  role: 'option',
  ...extra,
});
const nav = (label: string, action: Action): Button => ({ text: raw(label), action, role: 'nav' });
const msg = (buttons: Button[], extra: Partial<Message> = {}): Message => ({
  kind: 'message',
  body: [raw('Question?')],
  buttons,
  seq: 7,
  mode: 'new',
  ...extra,
});

/** Every rendered message is a valid Cloud API body (checked by the fake's validator). */
function expectValid(out: OutgoingMessage[]): void {
  for (const m of out) {
    const body =
      m.type === 'text'
        ? { type: 'text', text: { body: m.body } }
        : m.type === 'buttons'
          ? {
              type: 'interactive',
              interactive: { type: 'button', body: { text: m.body }, action: { buttons: m.buttons.map((b) => ({ type: 'reply', reply: b })) } },
            }
          : m.type === 'list'
            ? { type: 'interactive', interactive: { type: 'list', body: { text: m.body }, action: { button: m.button, sections: m.sections } } }
            : m.type === 'locationRequest'
              ? { type: 'interactive', interactive: { type: 'location_request_message', body: { text: m.body }, action: { name: 'send_location' } } }
              : { type: 'template', template: { name: m.name, language: { code: m.locale } } };
    expect(validateMessage({ messaging_product: 'whatsapp', to: '77010000000', ...body })).toBeNull();
    if (m.type === 'buttons' || m.type === 'list' || m.type === 'locationRequest') expect(m.body.length).toBeLessThanOrEqual(LIMITS.interactiveBody);
  }
}

const rowsOf = (m: OutgoingMessage) => (m.type === 'list' ? m.sections.flatMap((s) => s.rows) : m.type === 'buttons' ? m.buttons : []);

describe('WhatsApp rendering', () => {
  it('a notice is a plain text; a message without buttons too', () => {
    const out = renderOutputs([{ kind: 'notice', text: { key: 'common.stale' } }, msg([])], 'ru', tr);
    expect(out).toEqual([
      { type: 'text', body: real.t('ru', 'common.stale') },
      { type: 'text', body: 'Question?' },
    ]);
  });

  it('up to 3 buttons are reply buttons; a long label is shortened and given whole in the body; the chosen one is ticked', () => {
    const out = renderOutputs(
      [msg([opt('Short', 'a', { selected: true }), opt('A label far longer than twenty', 'b'), nav('◀ Back', { type: 'back' })])],
      'ru',
      tr,
    );
    expectValid(out);
    expect(out).toHaveLength(1);
    const m = out[0]!;
    expect(m.type).toBe('buttons');
    if (m.type !== 'buttons') return;
    expect(m.buttons.map((b) => b.title)).toEqual(['✅ Short', 'A label far longer…', '◀ Back']);
    expect(m.buttons.map((b) => decodeAction(b.id))).toEqual([
      { seq: 7, action: { type: 'choose', value: 'a' } },
      { seq: 7, action: { type: 'choose', value: 'b' } },
      { seq: 7, action: { type: 'back' } },
    ]);
    expect(m.body).toContain('A label far longer than twenty');
  });

  it('4 to 10 buttons are one list: options and actions in titled sections, long titles whole in the description', () => {
    const long = 'Паспорт здоровья и медосмотры детей';
    const out = renderOutputs(
      [msg([opt('One', 'a'), opt(long, 'b', { description: raw('details') }), opt('Three', 'c'), nav('Done', { type: 'done' })], { listTitle: raw('Pick') })],
      'ru',
      tr,
    );
    expectValid(out);
    const m = out[0]!;
    if (m.type !== 'list') throw new Error('expected a list');
    expect(m.button).toBe('Pick');
    expect(m.sections.map((s) => s.title)).toEqual([real.t('ru', 'common.listTitle'), real.t('ru', 'whatsapp.actions')]);
    const row = m.sections[0]!.rows[1]!;
    expect(row.title.length).toBeLessThanOrEqual(24);
    expect(row.description).toBe(`${long} — details`);
  });

  it('a long option list is paged with "More…": every option on exactly one slice, the actions on every slice', () => {
    const options = Array.from(
      { length: 13 },
      (_, i): Button => ({
        text: raw(`Option ${i + 1}`),
        action: { type: 'toggle', value: `o${i + 1}`, on: true },
        role: 'option',
      }),
    );
    const buttons = [...options, nav('Done', { type: 'done' }), nav('Back', { type: 'back' })];
    const first = renderOutputs([msg(buttons)], 'kk', tr);
    const second = renderOutputs([msg(buttons, { viewPage: 1, mode: 'edit' })], 'kk', tr);
    expectValid([...first, ...second]);
    const rows1 = rowsOf(first.at(-1)!);
    const rows2 = rowsOf(second.at(-1)!);
    expect(rows1).toHaveLength(10);
    const shown = [...rows1, ...rows2].map((r) => decodeAction(r.id)!.action).filter((a) => a.type === 'toggle');
    expect(shown.map((a) => (a as { value: string }).value).sort()).toEqual(options.map((o) => (o.action as { value: string }).value).sort());
    // In order, with the page turn rows and the screen's actions.
    expect(rows1[0]!.title).toBe('Option 1');
    expect(rows2[0]!.title).toBe('Option 8');
    expect(decodeAction(rows1.find((r) => r.title === real.t('kk', 'common.more'))!.id)).toEqual({ seq: 7, action: { type: 'page', page: 1 } });
    expect(decodeAction(rows2.find((r) => r.title === real.t('kk', 'whatsapp.firstPage'))!.id)).toEqual({ seq: 7, action: { type: 'page', page: 0 } });
    for (const rows of [rows1, rows2]) expect(rows.map((r) => r.title)).toEqual(expect.arrayContaining(['Done', 'Back']));
    // A toggle redrawn without a slice stays on the slice of the option pressed.
    const focused = renderOutputs([msg(buttons, { mode: 'edit' })], 'kk', tr, { focus: 'o11' });
    expect(rowsOf(focused.at(-1)!).map((r) => r.title)).toContain('Option 11');
  });

  it('the kindergarten picker (data paging by the core) keeps its page buttons and Done in the list, the rest after it', () => {
    const kgs = Array.from(
      { length: 8 },
      (_, i): Button => ({
        text: raw(`№${i + 1} Детский сад «Балапан-${i + 1}» с длинным названием`),
        description: raw('гос., каз.; заявок 12 на 120 мест'),
        action: { type: 'toggle', value: String(100 + i), on: true },
        role: 'option',
      }),
    );
    const buttons = [
      ...kgs,
      nav('◀ Prev', { type: 'page', page: 0 }),
      nav('Next ▶', { type: 'page', page: 2 }),
      nav('📍 Near me', { type: 'choose', value: 'near' }),
      nav('✖ Clear', { type: 'choose', value: 'clear' }),
      nav('✅ Done', { type: 'done' }),
      nav('◀ Back', { type: 'back' }),
    ];
    const out = renderOutputs([msg(buttons, { paging: { page: 1, pages: 3 } })], 'ru', tr);
    expectValid(out);
    expect(out.map((m) => m.type)).toEqual(['list', 'list']);
    const [picker, rest] = out.map(rowsOf);
    expect(picker!.map((r) => decodeAction(r.id)!.action.type)).toEqual([...Array(8).fill('toggle'), 'done', 'page']);
    expect(decodeAction(picker![9]!.id)!.action).toEqual({ type: 'page', page: 2 });
    expect(rest!.map((r) => r.title)).toEqual(['◀ Prev', '📍 Near me', '✖ Clear', '◀ Back']);
    expect(out[0]!.type === 'list' && out[0]!.body).toContain(real.render('ru', { key: 'whatsapp.page', params: { page: 2, pages: 3 } }));
    // Each kindergarten row has its details; a shortened name is given whole ahead of them.
    const rows = picker!.slice(0, 8) as { title: string; description?: string }[];
    expect(rows.every((r) => r.title.length <= 24 && r.description!.endsWith('заявок 12 на 120 мест'))).toBe(true);
    expect(rows[0]!.description).toContain('№1 Детский сад «Балапан-1»');
  });

  it('a body over the interactive limit goes first as text; the buttons follow with the tail that fits', () => {
    const paragraphs = Array.from({ length: 8 }, (_, i) => raw(`${i + 1}. ${'ответ '.repeat(40)}`));
    const out = renderOutputs([msg([opt('Yes', 'y'), opt('No', 'n')], { body: [...paragraphs, raw('Confirm?')] })], 'ru', tr);
    expectValid(out);
    expect(out[0]!.type).toBe('text');
    const last = out.at(-1)!;
    expect(last.type).toBe('buttons');
    if (last.type === 'buttons') expect(last.body.endsWith('Confirm?')).toBe(true);
    // Nothing lost, nothing repeated.
    const all = out.map((m) => (m.type === 'text' || m.type === 'buttons' ? m.body : '')).join('\n\n');
    for (let i = 1; i <= 8; i++) expect(all.split(`${i}. ответ`).length - 1).toBe(1);
  });

  it('two choices whose titles would be equal go as a list (WhatsApp refuses equal reply titles)', () => {
    const twin = (i: number): Button => ({ text: raw('😀✅'), role: 'option', action: { type: 'choose', value: `t${i}` } });
    const out = renderOutputs([msg([twin(1), twin(2)], { body: [raw('Выберите')] })], 'ru', tr);
    expectValid(out);
    expect(out.at(-1)!.type).toBe('list');
  });

  it("a location request is the Cloud API's location request message: WhatsApp shows its own Send location button", () => {
    const out = renderOutputs([msg([], { body: [{ key: 'q1.shareLocation' }], request: 'location' })], 'kk', tr);
    expectValid(out);
    expect(out).toEqual([{ type: 'locationRequest', body: real.t('kk', 'q1.shareLocation') }]);
  });

  it('a screen repeated unchanged after a notice is not sent again: only the notice goes', () => {
    const out = renderOutputs([{ kind: 'notice', text: { key: 'common.useButtons' } }, msg([opt('Yes', 'y'), opt('No', 'n')], { mode: 'repeat' })], 'ru', tr);
    expect(out).toEqual([{ type: 'text', body: real.t('ru', 'common.useButtons') }]);
    // Changed by typed input, it goes again.
    expect(renderOutputs([msg([opt('Yes', 'y')], { mode: 'refresh' })], 'ru', tr)).toHaveLength(1);
  });

  it("options' descriptions go into the rows, so the button that opens them on Telegram is left out", () => {
    const explain: Button = { text: raw('ℹ️ What?'), action: { type: 'choose', value: 'explain' }, role: 'explain' };
    const options = ['a', 'b', 'c', 'd'].map((v) => opt(`Option ${v}`, v, { description: raw(`About ${v}`) }));
    const out = renderOutputs([msg([...options, explain], { details: 'onRequest' })], 'ru', tr);
    const rows = rowsOf(out.at(-1)!) as { title: string; description?: string }[];
    expect(rows.map((r) => r.title)).toEqual(['Option a', 'Option b', 'Option c', 'Option d']);
    expect(rows.map((r) => r.description)).toEqual(['About a', 'About b', 'About c', 'About d']);
  });

  it('tells the caller of every title or description that had to be cut', () => {
    const cut: string[] = [];
    renderOutputs(
      [msg([opt('A label far longer than twenty', 'b'), opt('Short', 's', { description: raw('d'.repeat(80)) }), opt('x', 'x'), opt('y', 'y')])],
      'ru',
      tr,
      {
        onShortened: (full, limit) => cut.push(`${limit}:${full.slice(0, 8)}`),
      },
    );
    expect(cut).toEqual(['24:A label ', '72:dddddddd']);
    renderOutputs([msg([opt('A label far longer than twenty', 'b')])], 'ru', tr, { onShortened: (full, limit) => cut.push(`${limit}:${full.slice(0, 8)}`) });
    expect(cut).toEqual(['24:A label ', '72:dddddddd', '20:A label ']);
  });

  it('any message renders within every platform limit, with unique ids, and every button reachable', () => {
    const label = fc
      .string({ minLength: 1, maxLength: 90, unit: fc.constantFrom('a', 'б', 'Ә', ' ', '✅', '😀', '1', '—') })
      .filter((s) => s.trim().length > 0);
    const button = fc.record({ label, role: fc.constantFrom('option', 'nav'), selected: fc.boolean(), description: fc.option(label, { nil: undefined }) });
    fc.assert(
      fc.property(
        fc.array(button, { maxLength: 30 }),
        fc.array(fc.string({ minLength: 1, maxLength: 900 }), { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        (specs, body, multi) => {
          const buttons: Button[] = specs.map((s, i) => ({
            text: raw(s.label),
            role: s.role as Button['role'],
            selected: s.selected,
            ...(s.description ? { description: raw(s.description) } : {}),
            action:
              s.role === 'nav'
                ? { type: 'choose', value: `n${i}` }
                : multi
                  ? { type: 'toggle', value: `v${i}`, on: !s.selected }
                  : { type: 'choose', value: `v${i}` },
          }));
          const reached = new Set<string>();
          for (let page = 0; page < 6; page++) {
            const out = renderOutputs([msg(buttons, { body: body.map(raw), viewPage: page })], 'ru', tr);
            expectValid(out);
            for (const m of out) {
              const ids = rowsOf(m).map((r) => r.id);
              expect(new Set(ids).size).toBe(ids.length);
              ids.forEach((id) => reached.add(id));
            }
          }
          for (const b of buttons) expect(reached.has(encodeAction(7, b.action))).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('limits helpers', () => {
  it('shortens to the limit with an ellipsis, at a word when that costs little, never splitting an emoji', () => {
    expect(shorten('Short', 20)).toBe('Short');
    expect(shorten('Детский сад «Балапан-10»', 20)).toBe('Детский сад «Балапа…');
    expect(shorten('✍️ Продлить заявления', 20)).toBe('✍️ Продлить заявлен…');
    expect(shorten('Готово (ничего не выбрано)', 20)).toBe('Готово (ничего не…');
    const s = shorten('aaaaaaaaaaaaaaaaaa😀😀', 20);
    expect(s.length).toBeLessThanOrEqual(20);
    expect(s).toBe('aaaaaaaaaaaaaaaaaa…');
  });

  it('splits long texts at paragraph breaks within the limit', () => {
    const text = Array.from({ length: 10 }, (_, i) => `${i}`.repeat(900)).join('\n\n');
    const parts = splitText(text, 4096);
    expect(parts.every((p) => p.length <= 4096)).toBe(true);
    expect(parts.join('\n\n')).toBe(text);
  });
});
