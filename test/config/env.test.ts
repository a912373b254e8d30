import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/env.ts';

function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe('configuration from the environment', () => {
  it('runs with nothing set: embedded database, demo seed, no channels', () => {
    const c = loadConfig({});
    expect(c.database).toEqual({ kind: 'embedded', dataDir: 'data' });
    expect(c.seedDemo).toBe(true);
    expect(c.telegram).toBeNull();
    expect(c.whatsapp).toBeNull();
    expect(c.env.PORT).toBe(8080);
    expect(c.restorePolicy).toEqual({ windowDays: null, maxTimes: null, keepRegistrationDate: true });
    expect(c.campaign.reminderOffsetsDays).toEqual([30, 14, 7, 3, 1]);
    expect(c.campaign.window).toEqual({ startMinute: 9 * 60, endMinute: 20 * 60 });
  });

  it('uses PostgreSQL when DATABASE_URL is set, and does not seed it unless asked', () => {
    const c = loadConfig({ DATABASE_URL: 'postgresql://u@db:5432/kq' });
    expect(c.database).toEqual({ kind: 'postgres', url: 'postgresql://u@db:5432/kq' });
    expect(c.seedDemo).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'postgres://u@db/kq', SEED_DEMO: 'yes' }).seedDemo).toBe(true);
  });

  it('names every malformed variable at once', () => {
    const found = problems({
      DATABASE_URL: 'mysql://x',
      PORT: 'eighty',
      IIN_MAX_ATTEMPTS: '0',
      RESTORE_KEEPS_REGISTRATION_DATE: 'maybe',
      TELEGRAM_WEBHOOK_URL: 'not a url',
      REMINDER_OFFSETS_DAYS: '30, x',
      WHATSAPP_TIER: '500',
    });
    for (const name of ['DATABASE_URL', 'PORT', 'IIN_MAX_ATTEMPTS', 'RESTORE_KEEPS_REGISTRATION_DATE', 'TELEGRAM_WEBHOOK_URL', 'REMINDER_OFFSETS_DAYS', 'WHATSAPP_TIER']) {
      expect(found.some((p) => p.startsWith(`${name}:`)), name).toBe(true);
    }
  });

  it('refuses a half-configured WhatsApp channel, naming the missing credentials', () => {
    const found = problems({ WHATSAPP_TOKEN: 't', WHATSAPP_APP_SECRET: 's' });
    expect(found).toEqual([
      'WHATSAPP_PHONE_NUMBER_ID: required when any WHATSAPP_* credential is set',
      'WHATSAPP_VERIFY_TOKEN: required when any WHATSAPP_* credential is set',
    ]);
  });

  it('turns WhatsApp on with all four credentials', () => {
    const c = loadConfig({ WHATSAPP_TOKEN: 't', WHATSAPP_PHONE_NUMBER_ID: '1', WHATSAPP_APP_SECRET: 's', WHATSAPP_VERIFY_TOKEN: 'v' });
    expect(c.whatsapp).toMatchObject({ token: 't', phoneNumberId: '1', apiRoot: 'https://graph.facebook.com', apiVersion: 'v23.0' });
  });

  it('requires a secret for the Telegram webhook', () => {
    expect(problems({ TELEGRAM_BOT_TOKEN: '1:a', TELEGRAM_WEBHOOK_URL: 'https://bot.example.kz' })).toEqual([
      'TELEGRAM_WEBHOOK_SECRET: required in webhook mode, so forged updates are refused',
    ]);
    const c = loadConfig({ TELEGRAM_BOT_TOKEN: '1:a', TELEGRAM_WEBHOOK_URL: 'https://bot.example.kz', TELEGRAM_WEBHOOK_SECRET: 'abc_DEF-1' });
    expect(c.telegram).toMatchObject({ webhookUrl: 'https://bot.example.kz', webhookSecret: 'abc_DEF-1' });
  });

  it('reads the restore policy and the campaign settings', () => {
    const c = loadConfig({
      RESTORE_WINDOW_DAYS: '28',
      RESTORE_MAX_TIMES: '1',
      RESTORE_KEEPS_REGISTRATION_DATE: 'false',
      REMINDER_OFFSETS_DAYS: '7, 14,1,7',
      REMINDER_WINDOW: '10:00-18:30',
      WHATSAPP_TIER: 'unlimited',
    });
    expect(c.restorePolicy).toEqual({ windowDays: 28, maxTimes: 1, keepRegistrationDate: false });
    expect(c.campaign.reminderOffsetsDays).toEqual([14, 7, 1]);
    expect(c.campaign.window).toEqual({ startMinute: 600, endMinute: 1110 });
    expect(c.campaign.whatsappTier).toBeNull();
    expect(problems({ REMINDER_WINDOW: '20:00-09:00' })).toEqual(['REMINDER_WINDOW: the start must be before the end']);
  });

  it('deep links: off unless configured; names of the bot and the number normalised; a short secret refused', () => {
    expect(loadConfig({}).links).toEqual({ secret: null, telegramBotUsername: null, whatsappNumber: null, publicUrl: null });
    const c = loadConfig({
      LINK_SECRET: 'x'.repeat(32),
      TELEGRAM_BOT_USERNAME: '@kezek_almaty_bot',
      WHATSAPP_DISPLAY_NUMBER: '+7 (700) 123-45-67',
      PUBLIC_URL: 'https://kezek.example.kz/',
    });
    expect(c.links).toEqual({ secret: 'x'.repeat(32), telegramBotUsername: 'kezek_almaty_bot', whatsappNumber: '77001234567', publicUrl: 'https://kezek.example.kz' });
    // The public address defaults to the Telegram webhook's origin.
    expect(loadConfig({ TELEGRAM_BOT_TOKEN: 't', TELEGRAM_WEBHOOK_URL: 'https://kezek.example.kz/webhooks/telegram', TELEGRAM_WEBHOOK_SECRET: 's' }).links.publicUrl).toBe(
      'https://kezek.example.kz',
    );
    const found = problems({ LINK_SECRET: 'short', TELEGRAM_BOT_USERNAME: 'no spaces please', WHATSAPP_DISPLAY_NUMBER: 'call me', PUBLIC_URL: 'kezek' });
    for (const name of ['LINK_SECRET', 'TELEGRAM_BOT_USERNAME', 'WHATSAPP_DISPLAY_NUMBER', 'PUBLIC_URL']) {
      expect(found.some((p) => p.startsWith(`${name}:`)), name).toBe(true);
    }
  });
});
