/**
 * The screen catalog as a document for proofreading: every shot as Telegram and WhatsApp show it,
 * rendered by the channels' own renderers from the real locales. One file per language.
 */
import type { Output } from '../../src/conversation/core/io.ts';
import type { Locale } from '../../src/conversation/core/views.ts';
import type { TextLocale, Translator } from '../../src/i18n/translator.ts';
import { renderMessage as renderTelegram } from '../../bots/telegram/render.ts';
import { adaptForWhatsApp } from '../../bots/whatsapp/conversation.ts';
import { renderOutputs as renderWhatsApp } from '../../bots/whatsapp/render.ts';
import type { OutgoingMessage } from '../../bots/whatsapp/transport.ts';
import { buildCatalog, type Caption, type Exchange, type Shot } from './catalog.ts';

const HEADINGS: Record<Locale, Record<'title' | 'intro' | 'parent' | 'bot' | 'notOn' | 'toast' | 'unchanged' | 'edited' | 'refreshed', string>> = {
  kk: {
    title: 'Боттың барлық экрандары — қазақша',
    intro:
      'Бұл файлды `npm run screens` жасайды: әр экран мен хабарлама боттың өз коды мен `locales/kk` мәтіндері арқылы, демо-қаланың деректерімен көрсетілген. Мәтінді түзету үшін `locales/kk/*.json` файлын өзгертіп, команданы қайта іске қосыңыз.',
    parent: 'Ата-ана',
    bot: 'Боттың өз хабарламасы',
    notOn: 'Бұл арнада болмайды',
    toast: 'батырманың үстінде қысқа хабарлама',
    unchanged: 'экран өзгерген жоқ: қайта жіберілмейді',
    edited: 'басылған хабарлама орнында өзгереді',
    refreshed: 'сұрақтың хабарламасы орнында жаңарады',
  },
  ru: {
    title: 'Все экраны бота — по-русски',
    intro:
      'Этот файл создаёт `npm run screens`: каждый экран и сообщение показаны через код самого бота и тексты `locales/ru`, на данных демо-города. Чтобы исправить текст, измените `locales/ru/*.json` и запустите команду снова.',
    parent: 'Родитель',
    bot: 'Сообщение бота',
    notOn: 'В этом канале не бывает',
    toast: 'короткое уведомление над кнопкой',
    unchanged: 'экран не изменился: заново не отправляется',
    edited: 'нажатое сообщение меняется на месте',
    refreshed: 'сообщение вопроса обновляется на месте',
  },
};

export function screensMarkdown(locale: Locale, tr: Translator): string {
  const h = HEADINGS[locale];
  const out: string[] = [`# ${h.title}`, '', h.intro, ''];
  const shots = buildCatalog(locale);
  shots.forEach((shot, i) => out.push(`- [${i + 1}. ${shot.title[locale]}](#${anchor(i + 1, shot)})`));
  out.push('');
  shots.forEach((shot, i) => {
    out.push(`<a id="${anchor(i + 1, shot)}"></a>`, '', `## ${i + 1}. ${shot.title[locale]}`, '');
    for (const x of shot.exchanges) out.push(...exchange(x, shot, locale, tr));
  });
  return `${out.join('\n').trimEnd()}\n`;
}

const anchor = (n: number, shot: Shot): string => `s${n}-${shot.id}`;

function exchange(x: Exchange, shot: Shot, locale: Locale, tr: Translator): string[] {
  const h = HEADINGS[locale];
  const lines: string[] = [x.action ? `**${h.parent}:** ${caption(x.action, locale)}` : `**${h.bot}:**`, ''];
  const on = shot.channels ?? ['telegram', 'whatsapp'];
  lines.push('Telegram:', '');
  lines.push(...(on.includes('telegram') ? telegram(x.outputs, x.locale, tr, x.pressed === true, h) : [`_${h.notOn}_`, '']));
  lines.push('WhatsApp:', '');
  lines.push(...(on.includes('whatsapp') ? whatsapp(x.outputs, x.locale, tr, h) : [`_${h.notOn}_`, '']));
  return lines;
}

const caption = (c: Caption, locale: Locale): string => c[locale];

function block(text: string): string[] {
  return ['```text', text.replace(/```/g, "'''"), '```', ''];
}

function telegram(outputs: Output[], locale: TextLocale, tr: Translator, pressed: boolean, h: (typeof HEADINGS)[Locale]): string[] {
  const lines: string[] = [];
  let toastShown = false;
  for (const o of outputs) {
    if (o.kind === 'notice') {
      const text = tr.render(locale, o.text);
      if (pressed && !toastShown) {
        toastShown = true;
        lines.push(`> 🔔 _${h.toast}:_ ${text}`, '');
      } else lines.push(...block(text));
      continue;
    }
    if (o.mode === 'repeat') {
      lines.push(`_(${h.unchanged})_`, '');
      continue;
    }
    const r = renderTelegram(o, locale, tr);
    if (o.mode === 'edit') lines.push(`_(${h.edited})_`, '');
    if (o.mode === 'refresh') lines.push(`_(${h.refreshed})_`, '');
    const keyboard = (r.inline?.inline_keyboard ?? []).map((row) => row.map((b) => `[${b.text}]`).join(' '));
    const request = r.request ? [`[${tr.t(locale, r.request === 'contact' ? 'identify.contactButton' : 'q1.locationButton')}]`] : [];
    for (const [i, chunk] of r.chunks.entries()) {
      const last = i === r.chunks.length - 1;
      lines.push(...block(last ? [chunk, ...(keyboard.length + request.length > 0 ? ['', ...keyboard, ...request] : [])].join('\n') : chunk));
    }
  }
  return lines;
}

function whatsapp(outputs: Output[], locale: TextLocale, tr: Translator, h: (typeof HEADINGS)[Locale]): string[] {
  const adapted = adaptForWhatsApp(outputs);
  const rendered = renderWhatsApp(adapted, locale, tr);
  const lines: string[] = [];
  for (const m of rendered) lines.push(...block(whatsappText(m)));
  if (adapted.some((o) => o.kind === 'message' && o.mode === 'repeat')) lines.push(`_(${h.unchanged})_`, '');
  return lines;
}

function whatsappText(m: OutgoingMessage): string {
  switch (m.type) {
    case 'text':
      return m.body;
    case 'buttons':
      return [m.body, '', m.buttons.map((b) => `[${b.title}]`).join(' ')].join('\n');
    case 'list':
      return [
        m.body,
        '',
        `[☰ ${m.button}]`,
        ...m.sections.flatMap((s) => [
          ...(s.title ? [`  ${s.title}:`] : []),
          ...s.rows.map((r) => `  • ${r.title}${r.description ? ` — ${r.description}` : ''}`),
        ]),
      ].join('\n');
    case 'locationRequest':
      return [m.body, '', '[📍 Send location]'].join('\n');
    case 'template':
      return `template ${m.name} (${m.params.join(' | ')})`;
  }
}
