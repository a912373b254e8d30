import { beforeAll, describe, expect, it } from 'vitest';
import { decodeAction, encodeAction } from '../../src/conversation/core/action-codec.ts';
import { buildNotification, stopListDataFromPayload, templateParams } from '../../src/campaign/notifications.ts';
import { createTranslator, type Translator } from '../../src/i18n/translator.ts';
import { TEMPLATES, loadTemplateFile } from '../../bots/whatsapp/templates.ts';
import { almaty } from './support.ts';

let translator: Translator;
beforeAll(async () => {
  translator = await createTranslator({ portal: 'https://egov.kz', supportPhone: '1414' });
});

const render = (locale: 'kk' | 'ru', m: ReturnType<typeof buildNotification>) => ({
  body: m.body.map((t) => translator.render(locale, t)),
  buttons: m.buttons.map((b) => translator.render(locale, b.text)),
});

const DEADLINE = almaty('2026-12-25 23:59:59');

describe('reminder', () => {
  it('says how many applications, until when, with one Extend button that opens the questionnaire', () => {
    const m = buildNotification('REMINDER', { count: 2, deadline: DEADLINE, daysLeft: 14 });
    expect(m).toMatchObject({ kind: 'message', seq: 0, mode: 'new' });
    expect(m.buttons).toHaveLength(1);
    expect(m.buttons[0]!.action).toEqual({ type: 'command', name: 'extend' });
    expect(encodeAction(m.seq, m.buttons[0]!.action)).toBe('x.extend');
    expect(decodeAction('x.extend')?.action).toEqual(m.buttons[0]!.action);
    expect(render('ru', m)).toEqual({
      body: [
        'В очереди в детский сад у вас 2 заявления, которые нужно продлить.',
        'Осталось 14 дней: продлите до 25.12.2026 23:59 (время Астаны), иначе при чистке очереди заявления перейдут в стоп-лист.',
        'Нажмите «Продлить» и ответьте на 6 вопросов анкеты — это займёт пару минут.',
      ],
      buttons: ['Продлить'],
    });
    expect(render('kk', m).buttons).toEqual(['Ұзарту']);
    expect(render('kk', m).body[1]).toContain('14 күн қалды');
  });

  it('uses the right plural forms (ru one/few/many, kk) and a last-day text', () => {
    const line = (locale: 'kk' | 'ru', count: number, daysLeft: number) =>
      render(locale, buildNotification('REMINDER', { count, deadline: DEADLINE, daysLeft })).body.slice(0, 2);
    expect(line('ru', 1, 1)).toEqual([
      'В очереди в детский сад у вас 1 заявление, которое нужно продлить.',
      'Остался 1 день: продлите до 25.12.2026 23:59 (время Астаны), иначе при чистке очереди заявления перейдут в стоп-лист.',
    ]);
    expect(line('ru', 3, 3)[1]).toMatch(/^Осталось 3 дня:/);
    expect(line('ru', 5, 7)[0]).toContain('5 заявлений');
    expect(line('ru', 21, 21)[0]).toContain('21 заявление,');
    expect(line('ru', 1, 0)[1]).toMatch(/^Сегодня последний день: продлите до 25\.12\.2026 23:59/);
    expect(line('kk', 3, 0)[1]).toMatch(/^Бүгін — соңғы күн/);
    expect(line('kk', 1, 30)).toEqual([
      'Балабақша кезегіндегі 1 өтінішіңізді ұзарту қажет.',
      '30 күн қалды: 25.12.2026 23:59 дейін (Астана уақыты) ұзартыңыз, әйтпесе кезекті тазалау кезінде өтініштер стоп-параққа ауысады.',
    ]);
  });

  it('fills the WhatsApp template the way templates.json documents it', () => {
    const params = templateParams('REMINDER', { count: 2, deadline: DEADLINE, daysLeft: 14 });
    expect(params).toEqual(['2', '25.12.2026 23:59']);
    expect(params).toHaveLength(TEMPLATES.reminder.params);
    expect(TEMPLATES.reminder.buttonPayloads).toEqual(['x.extend', 'x.stop']);
    expect(loadTemplateFile().templates.find((t) => t.name === TEMPLATES.reminder.name)).toBeTruthy();
  });
});

describe('stop-list notice', () => {
  const data = { queueNumbers: [12345, 12346], stopListedAt: almaty('2026-12-26 00:00') };

  it('names the applications and the date, with one Restore button that opens the restore flow', () => {
    const m = buildNotification('STOPLIST_NOTICE', data);
    expect(m.buttons.map((b) => b.action)).toEqual([{ type: 'command', name: 'restore' }]);
    expect(encodeAction(m.seq, m.buttons[0]!.action)).toBe('x.restore');
    expect(render('ru', m)).toEqual({
      body: [
        'Ваши заявления в очереди в детский сад (№ 12345, № 12346) не были продлены вовремя и 26.12.2026 перенесены в стоп-лист.',
        'Вернуть в очередь можно здесь: нажмите «Восстановить» и подтвердите анкету.',
      ],
      buttons: ['Восстановить'],
    });
    const one = buildNotification('STOPLIST_NOTICE', { ...data, queueNumbers: [7] });
    expect(render('ru', one).body[0]).toBe('Ваше заявление в очереди в детский сад (№ 7) не было продлено вовремя и 26.12.2026 перенесено в стоп-лист.');
    expect(render('kk', one)).toEqual({
      body: [
        'Балабақша кезегіндегі өтінішіңіз (№ 7) уақытында ұзартылмағандықтан 26.12.2026 стоп-параққа ауыстырылды.',
        'Кезекке қайтаруға болады: «Қалпына келтіру» батырмасын басып, сауалнаманы растаңыз.',
      ],
      buttons: ['Қалпына келтіру'],
    });
  });

  it('template parameters and the payload the purge writes', () => {
    expect(templateParams('STOPLIST_NOTICE', data)).toEqual(['№ 12345, № 12346', '26.12.2026']);
    expect(TEMPLATES.stopListNotice.params).toBe(2);
    const payload = { purgeRunId: 4, queueNumbers: [12345, 12346], stopListedAt: '2026-12-25T19:00:00.000Z' };
    expect(stopListDataFromPayload(payload)).toEqual(data);
    expect(stopListDataFromPayload({ queueNumbers: ['x'], stopListedAt: 'now' })).toBeNull();
    expect(stopListDataFromPayload(null)).toBeNull();
  });
});
