/**
 * Every screen and notice the conversation can produce (the catalog in tools/screens, reached the
 * way parents reach them) rendered in kk and ru through both channels' renderers: no raw key, no
 * unfilled placeholder, no WhatsApp title cut to fit, every message within the Cloud API's limits,
 * and every text of the locales reached by some screen.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderMessage as renderTelegram } from '../../bots/telegram/render.ts';
import { adaptForWhatsApp } from '../../bots/whatsapp/conversation.ts';
import { renderOutputs } from '../../bots/whatsapp/render.ts';
import type { OutgoingMessage } from '../../bots/whatsapp/transport.ts';
import type { Output, Param, Text } from '../../src/conversation/core/io.ts';
import { LOCALES, type Locale } from '../../src/conversation/core/views.ts';
import { flattenKeys, loadAllLocales } from '../../src/i18n/resources.ts';
import { createTranslator, type TextLocale, type Translator } from '../../src/i18n/translator.ts';
import { buildCatalog, linked, type Shot } from '../../tools/screens/catalog.ts';
import { SCREENS_DIR, SCREENS_PORTAL } from '../../tools/screens/main.ts';
import { screensMarkdown } from '../../tools/screens/markdown.ts';
import { validateMessage } from '../../test-support/fakes/graph-api.ts';

let tr: Translator;
const catalogs = new Map<Locale, Shot[]>();
beforeAll(async () => {
  tr = await createTranslator(SCREENS_PORTAL);
  for (const locale of LOCALES) catalogs.set(locale, buildCatalog(locale));
});

/** Every Text of the outputs, labels and descriptions included. */
function textsOf(outputs: Output[]): Text[] {
  return outputs.flatMap((o) =>
    o.kind === 'notice'
      ? [o.text]
      : [...o.body, ...o.buttons.flatMap((b) => (b.description ? [b.text, b.description] : [b.text])), ...(o.listTitle ? [o.listTitle] : [])],
  );
}

const languagesOf = (l: TextLocale): Locale[] => (l === 'both' ? ['kk', 'ru'] : [l]);
const RAW_KEY = /(^|\s)[a-z][A-Za-z]*(\.[A-Za-z_]+)+($|\s)/;
const PLACEHOLDER = /\{\{|\}\}/;

function expectReadable(where: string, text: string): void {
  expect(text.trim().length, `${where}: empty`).toBeGreaterThan(0);
  expect(PLACEHOLDER.test(text), `${where}: unfilled placeholder in «${text}»`).toBe(false);
  expect(RAW_KEY.test(text), `${where}: a raw key in «${text}»`).toBe(false);
}

function whatsappStrings(m: OutgoingMessage): string[] {
  switch (m.type) {
    case 'text':
    case 'locationRequest':
      return [m.body];
    case 'buttons':
      return [m.body, ...m.buttons.map((b) => b.title)];
    case 'list':
      return [
        m.body,
        m.button,
        ...m.sections.flatMap((s) => [...(s.title ? [s.title] : []), ...s.rows.flatMap((r) => [r.title, ...(r.description ? [r.description] : [])])]),
      ];
    case 'template':
      return [];
  }
}

/** The Graph API body the transport sends for a rendered message (as cloud-api-transport.ts builds it). */
function graphBody(m: OutgoingMessage): Record<string, unknown> {
  const base = { messaging_product: 'whatsapp', to: '77010000002' };
  switch (m.type) {
    case 'text':
      return { ...base, type: 'text', text: { body: m.body } };
    case 'buttons':
      return {
        ...base,
        type: 'interactive',
        interactive: { type: 'button', body: { text: m.body }, action: { buttons: m.buttons.map((b) => ({ type: 'reply', reply: b })) } },
      };
    case 'list':
      return { ...base, type: 'interactive', interactive: { type: 'list', body: { text: m.body }, action: { button: m.button, sections: m.sections } } };
    case 'locationRequest':
      return { ...base, type: 'interactive', interactive: { type: 'location_request_message', body: { text: m.body }, action: { name: 'send_location' } } };
    case 'template':
      return { ...base, type: 'template', template: { name: m.name, language: { code: m.locale } } };
  }
}

/** The translator, recording every key it renders (nested texts included), in any wording. */
function recording(base: Translator, used: Set<string>): Translator {
  const visit = (t: Text) => {
    used.add(t.key);
    for (const p of Object.values(t.params ?? {})) visitParam(p);
  };
  const visitParam = (p: Param) => {
    if (typeof p !== 'object') return;
    if ('key' in p) visit(p);
    else if ('list' in p) p.list.forEach(visitParam);
  };
  return {
    ...base,
    render: (l, t) => {
      visit(t);
      return base.render(l, t);
    },
    t: (l, key, params) => {
      visit(params ? { key, params } : { key });
      return base.t(l, key, params);
    },
    variant: (name) => recording(base.variant(name), used),
  };
}

describe.each(LOCALES)('every screen in %s', (locale) => {
  const each = (fn: (shot: Shot, x: Shot['exchanges'][number], where: string) => void) => {
    for (const shot of catalogs.get(locale)!) shot.exchanges.forEach((x, i) => fn(shot, x, `${locale} ${shot.id}#${i + 1}`));
  };

  it('has the screens a parent meets, in order', () => {
    const ids = catalogs.get(locale)!.map((s) => s.id);
    expect(ids.length).toBeGreaterThan(30);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('every text resolves in its language: no missing key, no plural text without its count, no context without its form', () => {
    each((_shot, x, where) => {
      for (const lng of languagesOf(x.locale)) {
        for (const t of textsOf(x.outputs)) {
          expect(tr.unresolved(lng, t), `${where} (${lng}): ${JSON.stringify(t)}`).toEqual([]);
          expect(tr.variant('wa').unresolved(lng, t), `${where} (${lng}, WhatsApp wording): ${JSON.stringify(t)}`).toEqual([]);
        }
      }
    });
  });

  it('Telegram shows every screen without a raw key or an unfilled placeholder', () => {
    each((_shot, x, where) => {
      for (const o of x.outputs) {
        if (o.kind === 'notice') {
          expectReadable(where, tr.render(x.locale, o.text));
          continue;
        }
        const r = renderTelegram(o, x.locale, tr);
        for (const chunk of r.chunks) expectReadable(where, chunk);
        for (const b of (r.inline?.inline_keyboard ?? []).flat()) {
          expectReadable(where, b.text);
          expect(Buffer.byteLength((b as { callback_data: string }).callback_data), where).toBeLessThanOrEqual(64);
        }
      }
    });
  });

  it('WhatsApp shows every screen within the Cloud API limits, with no title or description cut to fit', () => {
    each((shot, x, where) => {
      if (shot.channels && !shot.channels.includes('whatsapp')) return;
      const cut: string[] = [];
      const out = renderOutputs(adaptForWhatsApp(x.outputs), x.locale, tr, { onShortened: (full, limit) => cut.push(`${full} (> ${limit})`) });
      expect(cut, `${where}: cut to fit`).toEqual([]);
      for (const m of out) {
        expect(validateMessage(graphBody(m)), where).toBeNull();
        for (const s of whatsappStrings(m)) expectReadable(where, s);
      }
    });
  });
});

describe.each(LOCALES)('every kindergarten of the demo city on WhatsApp (%s)', (locale) => {
  /** Every page of the picker, ticked (the longest title), with and without distances. */
  function pickerPages(near: boolean): Output[][] {
    const s = linked(locale);
    s.command('extend');
    if (near) s.send(null, { type: 'location', point: { lat: 53.2848, lon: 69.3836 } });
    const pages: Output[][] = [];
    for (let page = 0; ; page++) {
      const shown = s.send(null, { type: 'action', seq: s.state.seq, action: { type: 'page', page } });
      const ids = s.state.kg.visible.map((k) => k.id);
      // Ticked and unticked again, so every row is drawn with its tick once.
      for (const id of ids) {
        pages.push(s.send(null, { type: 'action', seq: s.state.seq, action: { type: 'toggle', value: String(id), on: true } }).outputs);
        s.send(null, { type: 'action', seq: s.state.seq, action: { type: 'toggle', value: String(id), on: false } });
      }
      pages.push(shown.outputs);
      const paging = shown.outputs.find((o) => o.kind === 'message' && o.paging);
      if (paging?.kind !== 'message' || page + 1 >= paging.paging!.pages) break;
    }
    return pages;
  }

  it.each([false, true])('number, name and demand fit every row whole (distance shown: %s)', (near) => {
    const rows = new Map<string, string>();
    for (const outputs of pickerPages(near)) {
      const cut: string[] = [];
      const out = renderOutputs(outputs, locale, tr, { onShortened: (full) => cut.push(full) });
      expect(cut).toEqual([]);
      for (const m of out)
        if (m.type === 'list') for (const r of m.sections.flatMap((x) => x.rows)) if (r.description) rows.set(r.title.replace(/^✅ /, ''), r.description);
    }
    // All 100 kindergartens, each as "№ N Name" with its demand against its capacity (and distance).
    const kindergartens = [...rows.keys()].filter((t) => t.startsWith('№ '));
    expect(kindergartens.length).toBe(100);
    for (const title of kindergartens) {
      expect(title).toMatch(/^№ \d+ \S/);
      expect(rows.get(title)).toMatch(near ? /^\d+,\d км; .* \d+/ : / \d+ .* \d+ /);
    }
  });
});

describe('the locales', () => {
  /**
   * Texts the conversation does not show (the operators' report, command menus, the console chat,
   * the SMS texts and their page: test/sms/texts.test.ts, test/links/sms-page.test.ts) or that only
   * a channel shows.
   */
  const ELSEWHERE = [/^report\./, /^commands\./, /^console\./, /^channel\.CONSOLE$/, /^telegram\./, /^whatsapp\./, /^wa\./, /^sms\./, /^smsPage\./];
  /** A plural form or a context of a text rendered under its base key. */
  const SUFFIX = /_[A-Za-z]+$/;

  it('every text is reached by some screen of the catalog', () => {
    // Everything the screens files show, through both channels' renderers, is recorded.
    const used = new Set<string>();
    for (const locale of LOCALES) screensMarkdown(locale, recording(tr, used));
    const reached = (k: string) => used.has(k) || used.has(k.replace(SUFFIX, ''));
    const unreached = flattenKeys(loadAllLocales().ru).filter((k) => !reached(k) && !ELSEWHERE.some((r) => r.test(k)));
    expect(unreached).toEqual([]);
  });

  it("every text worded for WhatsApp's limits has the text it replaces", () => {
    for (const locale of LOCALES) {
      const tree = loadAllLocales()[locale];
      const wa = typeof tree.wa === 'object' ? flattenKeys(tree.wa) : [];
      for (const k of wa) expect(tr.has(locale, k.replace(/_(one|few|many|other)$/, '')) || tr.has(locale, k), `${locale}: wa.${k}`).toBe(true);
    }
  });
});

describe('the screens files for reviewers', () => {
  it.each(LOCALES)('docs/screens/%s.md is what `npm run screens` writes', (locale) => {
    const committed = readFileSync(path.join(SCREENS_DIR, `${locale}.md`), 'utf8');
    expect(committed === screensMarkdown(locale, tr), `docs/screens/${locale}.md is out of date: run npm run screens`).toBe(true);
  });
});
