import { beforeAll, describe, expect, it } from 'vitest';
import type { NotificationContent } from '../../src/campaign/notifications.ts';
import type { RegistryEventKind } from '../../src/campaign/outbox-kinds.ts';
import { dayMonth, smsSegments, smsText } from '../../src/campaign/sms/texts.ts';
import { createTranslator, type Translator } from '../../src/i18n/translator.ts';
import { almaty } from '../campaign/support.ts';

/** The longest link the texts are written for: a 40-character PUBLIC_URL, /s/ and a 24-character token. */
const LINK = `https://bala-kezek.almaty.edu.example.kz/s/S${'Ab3_-x'.repeat(4).slice(0, 23)}`;
const DEADLINE = almaty('2026-12-25 23:59:59');

let tr: Translator;
beforeAll(async () => {
  tr = await createTranslator({ portal: 'https://egov.kz', supportPhone: '1414' });
});

const reminder = (count: number, deadline = DEADLINE): NotificationContent => ({ kind: 'REMINDER', data: { count, deadline, daysLeft: 7 } });
const notice = (n: number): NotificationContent => ({
  kind: 'STOPLIST_NOTICE',
  data: { queueNumbers: Array.from({ length: n }, (_, i) => 1_000_000 + i), stopListedAt: DEADLINE },
});

const registry = (event: RegistryEventKind, acceptBy: Date | null = DEADLINE): NotificationContent => ({
  kind: `REGISTRY_${event}`,
  data: { event, queueNumber: 104_233_999, kindergarten: null, group: null, acceptBy },
});

describe('SMS texts', () => {
  it.each(['kk', 'ru'] as const)('%s: a referral names the application and the day to accept it by; every registry notice fits two parts', (locale) => {
    const lines = smsText(tr, registry('REFERRAL_ISSUED'), locale, LINK).split('\n');
    expect(lines[0]).toContain('104233999');
    expect(lines[0]).toContain('25.12');
    expect(lines.slice(1)).toEqual([LINK, tr.t(locale, 'sms.stop')]);
    for (const c of [registry('REFERRAL_ISSUED'), registry('REFERRAL_ISSUED', null), registry('REFERRAL_LAPSED'), registry('ENROLLED')]) {
      const parts = smsSegments(tr, c, locale, LINK);
      expect(parts.segments, smsText(tr, c, locale, LINK)).toBeLessThanOrEqual(2);
      expect(smsText(tr, c, locale, LINK)).not.toMatch(/\{\{|sms\./);
    }
  });

  it('the link is 67 characters, the longest case the texts are written for', () => {
    expect(LINK).toHaveLength(67);
  });

  it.each(['kk', 'ru'] as const)('%s: every kind, any count and date, fits two UCS-2 parts with the link', (locale) => {
    const contents = [...[1, 2, 3, 5, 11, 21, 101].flatMap((n) => [reminder(n), notice(n)])];
    // Every day and month of the year: the date is always dd.mm.
    for (let m = 0; m < 12; m++) contents.push(reminder(2, new Date(Date.UTC(2026, m, 28, 19))));
    for (const c of contents) {
      const text = smsText(tr, c, locale, LINK);
      const parts = smsSegments(tr, c, locale, LINK);
      expect(parts.encoding).toBe('UCS-2');
      expect(parts.segments, text).toBeLessThanOrEqual(2);
      expect(parts.units).toBeLessThanOrEqual(134);
    }
  });

  it.each(['kk', 'ru'] as const)('%s: the link stands on a line of its own, the stop instruction after it', (locale) => {
    for (const c of [reminder(1), notice(2)]) {
      const lines = smsText(tr, c, locale, LINK).split('\n');
      expect(lines).toHaveLength(3);
      expect(lines[1]).toBe(LINK);
      // How to stop: on the page (an SMS from a sender name cannot be answered).
      expect(lines[2]).toBe(tr.t(locale, 'sms.stop'));
      expect(lines[2]).not.toMatch(/STOP/);
    }
  });

  it('the reminder names the deadline by its Almaty day; Russian agrees with the count', () => {
    expect(smsText(tr, reminder(1), 'ru', LINK)).toBe(`Продлите заявление в детсад до 25.12:\n${LINK}\nОтписка — по ссылке`);
    expect(smsText(tr, reminder(3), 'ru', LINK).split('\n')[0]).toBe('Продлите заявления в детсад до 25.12:');
    expect(smsText(tr, reminder(1), 'kk', LINK).split('\n')[0]).toBe('Балабақша өтінішін 25.12 дейін ұзартыңыз');
    expect(smsText(tr, notice(1), 'ru', LINK).split('\n')[0]).toBe('Детсад: заявление в стоп-листе. Вернуть:');
    expect(smsText(tr, notice(5), 'ru', LINK).split('\n')[0]).toBe('Детсад: заявления в стоп-листе. Вернуть:');
  });

  it("the day and month are Almaty's, whatever the server's zone", () => {
    // 23:30 UTC on 31 December is already 1 January in Almaty (UTC+5).
    expect(dayMonth(new Date('2026-12-31T23:30:00Z'))).toBe('01.01');
    expect(dayMonth(almaty('2026-03-08 00:00'))).toBe('08.03');
  });

  it('a longer link is not cut: the text takes a third part, and the count says so', () => {
    const long = `${LINK}?utm=sms-reminder-2026`;
    expect(smsSegments(tr, reminder(1), 'kk', long).segments).toBe(3);
    expect(smsText(tr, reminder(1), 'kk', long)).toContain(long);
    // Exactly 70 characters: one part.
    expect(smsText(tr, reminder(1), 'ru', 'https://e.kz')).toHaveLength(70);
    expect(smsSegments(tr, reminder(1), 'ru', 'https://e.kz').segments).toBe(1);
  });
});
