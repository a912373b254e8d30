import { beforeAll, describe, expect, it } from 'vitest';
import { decodeAction } from '../../src/conversation/core/action-codec.ts';
import type { Button, Message } from '../../src/conversation/core/io.ts';
import { createTranslator, type Translator } from '../../src/i18n/translator.ts';
import { inlineKeyboard, perRow, requestKeyboard } from '../../bots/telegram/keyboard.ts';
import { MAX_TEXT, renderMessage, splitText } from '../../bots/telegram/render.ts';

let tr: Translator;
beforeAll(async () => {
  tr = await createTranslator({ portal: 'https://egov.kz', supportPhone: '1414' });
});

const msg = (buttons: Button[], extra: Partial<Message> = {}): Message => ({
  kind: 'message',
  body: [{ key: 'q4.prompt' }],
  buttons,
  seq: 42,
  mode: 'new',
  ...extra,
});
const opt = (key: string, value: string, extra: Partial<Button> = {}): Button => ({
  text: { key },
  action: { type: 'choose', value },
  role: 'option',
  ...extra,
});
const nav = (key: string, action: Button['action']): Button => ({ text: { key }, action, role: 'nav' });

describe('Telegram rendering', () => {
  it('joins paragraphs with blank lines as plain text', () => {
    const r = renderMessage(msg([], { body: [{ key: 'questionnaire.progress', params: { n: 4, total: 6 } }, { key: 'q4.prompt' }] }), 'ru', tr);
    expect(r.chunks).toEqual([`Вопрос 4 из 6\n\n${tr.t('ru', 'q4.prompt')}`]);
    expect(r.inline).toBeNull();
    expect(r.request).toBeNull();
  });

  it('lays out short options three to a row, ticks the selected, and puts navigation below', () => {
    const buttons = [10, 15, 20, 25, 30].map(
      (v) =>
        ({
          ...opt('options.payment', String(v * 1000)),
          text: { key: 'options.payment', params: { amount: { amount: v * 1000 } } },
          selected: v === 20,
        }) as Button,
    );
    const r = renderMessage(msg([...buttons, nav('common.back', { type: 'back' })]), 'ru', tr);
    const rows = r.inline!.inline_keyboard;
    expect(rows.map((row) => row.length)).toEqual([3, 2, 1]);
    expect(rows[0]![2]!.text).toBe('✅ до 20\u00a0000 ₸');
    expect(rows[2]![0]).toEqual({ text: '◀ Назад', callback_data: '42.b' });
    expect(decodeAction((rows[0]![0] as { callback_data: string }).callback_data)).toEqual({ seq: 42, action: { type: 'choose', value: '10000' } });
  });

  it('puts list entries with details one per row, lists their details in the text, and pages on one row', () => {
    const kg = (n: number): Button => ({
      text: { key: 'kindergarten.short', params: { number: n, name: `Сад ${n}` } },
      description: {
        key: 'kindergarten.details',
        params: { ownership: { key: 'kindergarten.ownership.STATE' }, languages: { list: [{ key: 'kindergarten.language.KK' }] }, demand: 5, capacity: 100 },
      },
      action: { type: 'toggle', value: String(n), on: true },
      role: 'option',
    });
    const m = msg(
      [
        kg(1),
        kg(2),
        nav('common.prev', { type: 'page', page: 0 }),
        nav('common.next', { type: 'page', page: 2 }),
        nav('common.done', { type: 'done' }),
        nav('common.back', { type: 'back' }),
      ],
      { paging: { page: 1, pages: 3 } },
    );
    const r = renderMessage(m, 'ru', tr);
    const rows = r.inline!.inline_keyboard;
    expect(rows.map((row) => row.map((b) => b.text))).toEqual([['№1 Сад 1'], ['№2 Сад 2'], ['◀ Пред.', 'След. ▶'], ['✅ Готово', '◀ Назад']]);
    expect(r.chunks[0]).toContain('№1 Сад 1 — гос., каз.; заявок 5 на 100 мест');
    expect(r.chunks[0]).toContain('Страница 2 из 3');
  });

  it('chooses the row width from the longest label', () => {
    expect(perRow(['Қазақша', 'Русский'])).toBe(3);
    expect(perRow(['Спортивные танцы', 'Футбол'])).toBe(2);
    expect(perRow(['♻️ Восстановить из стоп-листа'])).toBe(1);
  });

  it('keeps every callback_data within 64 bytes and refuses to encode text', () => {
    const long = 'x'.repeat(40);
    const kb = inlineKeyboard([{ label: 'a', action: { type: 'toggle', value: long, on: true }, role: 'option' }], 999_999_999)!;
    const data = (kb.inline_keyboard[0]![0] as { callback_data: string }).callback_data;
    expect(Buffer.byteLength(data)).toBeLessThanOrEqual(64);
    expect(() => inlineKeyboard([{ label: 'a', action: { type: 'choose', value: 'Балапан' }, role: 'option' }], 1)).toThrow();
    expect(() => inlineKeyboard([{ label: 'a', action: { type: 'choose', value: 'x'.repeat(41) }, role: 'option' }], 1)).toThrow();
  });

  it('asks for the contact or the location with a one-time reply keyboard', () => {
    const r = renderMessage(msg([], { body: [{ key: 'identify.contactPrompt' }], request: 'contact' }), 'kk', tr);
    expect(r.request).toBe('contact');
    expect(requestKeyboard('contact', tr.t('kk', 'identify.contactButton'))).toEqual({
      keyboard: [[{ text: '📱 Нөмірмен бөлісу', request_contact: true }]],
      resize_keyboard: true,
      one_time_keyboard: true,
    });
    expect(requestKeyboard('location', 'L').keyboard[0]![0]).toEqual({ text: 'L', request_location: true });
  });

  it('splits a text over 4096 characters at paragraph boundaries', () => {
    const para = 'а'.repeat(1500);
    const text = [para, para, para, para].join('\n\n');
    const chunks = splitText(text);
    expect(chunks.length).toBe(2);
    expect(chunks.every((c) => c.length <= MAX_TEXT)).toBe(true);
    expect(chunks.join('\n\n')).toBe(text);
    expect(splitText('x'.repeat(10_000)).map((c) => c.length)).toEqual([4096, 4096, 1808]);
  });
});
