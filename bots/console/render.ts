/**
 * Console rendering: a message as plain text with its buttons numbered, the way a terminal chat
 * can show them. Every button gets a number; typing it presses the button.
 */
import type { Message, Output } from '../../src/conversation/index.ts';
import type { TextLocale, Translator } from '../../src/i18n/index.ts';

/** A screen repeated unchanged after a notice is left out: it is right above. */
export function renderOutput(o: Output, locale: TextLocale, tr: Translator): string {
  if (o.kind === 'notice') return `ℹ️  ${tr.render(locale, o.text)}`;
  return o.mode === 'repeat' ? '' : renderMessage(o, locale, tr);
}

export function renderMessage(m: Message, locale: TextLocale, tr: Translator): string {
  const lines = [m.body.map((t) => tr.render(locale, t)).join('\n\n')];
  if (m.paging && m.paging.pages > 1) lines.push(`[${m.paging.page + 1}/${m.paging.pages}]`);
  m.buttons.forEach((b, i) => {
    const mark = b.selected ? `${tr.t(locale, 'common.tick')} ` : '';
    const detail = b.description ? ` — ${tr.render(locale, b.description)}` : '';
    lines.push(`  ${i + 1}) ${mark}${tr.render(locale, b.text)}${detail}`);
  });
  if (m.request === 'contact') lines.push(tr.t(locale, 'console.contactHint'));
  if (m.request === 'location') lines.push(tr.t(locale, 'console.locationHint'));
  return lines.join('\n');
}
