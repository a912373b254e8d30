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
    for (const name of [
      'DATABASE_URL',
      'PORT',
      'IIN_MAX_ATTEMPTS',
      'RESTORE_KEEPS_REGISTRATION_DATE',
      'TELEGRAM_WEBHOOK_URL',
      'REMINDER_OFFSETS_DAYS',
      'WHATSAPP_TIER',
    ]) {
      expect(
        found.some((p) => p.startsWith(`${name}:`)),
        name,
      ).toBe(true);
    }
  });

  it('metrics token and readable logs: open and automatic unless set; a short token or a wrong flag refused', () => {
    const c = loadConfig({});
    expect(c.metrics).toEqual({ token: null });
    expect(c.env.LOG_PRETTY).toBeUndefined();
    const set = loadConfig({ METRICS_TOKEN: ' 0123456789abcdef0123 ', LOG_PRETTY: '1' });
    expect(set.metrics).toEqual({ token: '0123456789abcdef0123' });
    expect(set.env.LOG_PRETTY).toBe(true);
    expect(loadConfig({ LOG_PRETTY: 'off' }).env.LOG_PRETTY).toBe(false);
    expect(problems({ METRICS_TOKEN: 'short', LOG_PRETTY: 'sometimes' })).toEqual([
      'LOG_PRETTY: expected true or false',
      'METRICS_TOKEN: at least 16 characters, e.g. the output of openssl rand -hex 16',
    ]);
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
    expect(c.links).toEqual({
      secret: 'x'.repeat(32),
      telegramBotUsername: 'kezek_almaty_bot',
      whatsappNumber: '77001234567',
      publicUrl: 'https://kezek.example.kz',
    });
    // The public address defaults to the Telegram webhook's origin.
    expect(
      loadConfig({ TELEGRAM_BOT_TOKEN: 't', TELEGRAM_WEBHOOK_URL: 'https://kezek.example.kz/webhooks/telegram', TELEGRAM_WEBHOOK_SECRET: 's' }).links.publicUrl,
    ).toBe('https://kezek.example.kz');
    const found = problems({ LINK_SECRET: 'short', TELEGRAM_BOT_USERNAME: 'no spaces please', WHATSAPP_DISPLAY_NUMBER: 'call me', PUBLIC_URL: 'kezek' });
    for (const name of ['LINK_SECRET', 'TELEGRAM_BOT_USERNAME', 'WHATSAPP_DISPLAY_NUMBER', 'PUBLIC_URL']) {
      expect(
        found.some((p) => p.startsWith(`${name}:`)),
        name,
      ).toBe(true);
    }
  });
});

const KEY = 'kz3f9c1e0a7b2d4f6a8c0e2b4d6f8a0c2e4b6d8fa1';
const PAGE_ROOT = 'https://kezek.example.kz';

describe('SMS configuration', () => {
  it('is off when SMS_PROVIDER is unset', () => {
    expect(loadConfig({}).sms).toBeNull();
  });

  it('mobizon with its key and a daily budget: the API root defaults to api.mobizon.kz, 10 SMS a second', () => {
    const c = loadConfig({ SMS_PROVIDER: 'mobizon', MOBIZON_API_KEY: KEY, SMS_DAILY_BUDGET: '5000', PUBLIC_URL: PAGE_ROOT });
    expect(c.sms).toEqual({ provider: 'mobizon', apiKey: KEY, apiRoot: 'https://api.mobizon.kz', dailyBudget: 5000, ratePerSecond: 10 });
    expect(c.campaign.reach).toMatchObject({ sms: true, smsPerDay: 2500 });
    const d = loadConfig({
      PUBLIC_URL: PAGE_ROOT,
      SMS_PROVIDER: 'mobizon',
      MOBIZON_API_KEY: KEY,
      SMS_DAILY_BUDGET: '20',
      MOBIZON_API_ROOT: 'http://127.0.0.1:9/',
      SMS_FROM: 'KEZEK',
      SMS_RATE_PER_SECOND: '3',
    });
    expect(d.sms).toEqual({ provider: 'mobizon', apiKey: KEY, apiRoot: 'http://127.0.0.1:9/', from: 'KEZEK', dailyBudget: 20, ratePerSecond: 3 });
  });

  it('half a configuration names what is missing', () => {
    expect(problems({ SMS_PROVIDER: 'mobizon' })).toEqual([
      expect.stringMatching(/^MOBIZON_API_KEY: required when SMS_PROVIDER=mobizon/),
      expect.stringMatching(/^SMS_DAILY_BUDGET: required when SMS_PROVIDER is set/),
      expect.stringMatching(/^PUBLIC_URL: required when SMS_PROVIDER is set/),
    ]);
    expect(problems({ SMS_PROVIDER: 'mobizon', MOBIZON_API_KEY: KEY, PUBLIC_URL: PAGE_ROOT })).toEqual([expect.stringMatching(/^SMS_DAILY_BUDGET:/)]);
    // The webhook's origin is the public address too; on PostgreSQL the links need the shared secret.
    const pg = {
      SMS_PROVIDER: 'mobizon',
      MOBIZON_API_KEY: KEY,
      SMS_DAILY_BUDGET: '10',
      TELEGRAM_BOT_TOKEN: '1:x',
      TELEGRAM_WEBHOOK_URL: `${PAGE_ROOT}/tg`,
      TELEGRAM_WEBHOOK_SECRET: 'w',
    };
    expect(problems({ ...pg, DATABASE_URL: 'postgresql://localhost/x' })).toEqual([
      expect.stringMatching(/^LINK_SECRET: required when SMS_PROVIDER is set on PostgreSQL/),
    ]);
    expect(problems({ ...pg, DATABASE_URL: 'postgresql://localhost/x', LINK_SECRET: 'k'.repeat(32) })).toEqual([]);
    expect(problems({ MOBIZON_API_KEY: KEY, SMS_DAILY_BUDGET: '10' })).toEqual([
      'SMS_PROVIDER: required when MOBIZON_API_KEY, SMS_DAILY_BUDGET are set (SMS_PROVIDER=mobizon)',
    ]);
  });

  it('refuses an unknown provider, a budget that is not a positive whole number, a sender name over 11 characters', () => {
    const found = problems({ SMS_PROVIDER: 'twilio', SMS_DAILY_BUDGET: '0', SMS_FROM: 'KINDERGARTEN-BOT' }).join('\n');
    expect(found).toContain('SMS_PROVIDER: the only SMS provider is mobizon');
    expect(found).toContain('SMS_DAILY_BUDGET');
    expect(found).toContain('SMS_FROM');
  });

  it('never puts the API key into a problem it reports', () => {
    expect(problems({ MOBIZON_API_KEY: KEY }).join('\n')).not.toContain(KEY);
  });
});
