import { hostname } from 'node:os';
import { z } from 'zod';

/**
 * Every setting comes from the environment, validated at start. Unset channel credentials switch
 * the channel off; a half-configured channel is an error that names what is missing.
 */
const optionalString = z
  .string()
  .optional()
  .transform((s) => (s === undefined || s.trim() === '' ? undefined : s.trim()));

const hoursRange = (example: string) => z.string().regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/, `HH:MM-HH:MM, e.g. ${example}`);

const optionalInt = (min: number) =>
  z
    .string()
    .optional()
    .transform((s) => (s === undefined || s.trim() === '' ? undefined : s.trim()))
    .pipe(z.string().regex(/^\d+$/, 'expected a whole number').transform(Number).pipe(z.number().int().min(min)).optional());

const boolFlag = <T extends boolean | undefined>(fallback: T) =>
  z
    .string()
    .optional()
    .transform((s, ctx): boolean | T => {
      if (s === undefined || s.trim() === '') return fallback;
      const v = s.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off'].includes(v)) return false;
      ctx.addIssue({ code: 'custom', message: 'expected true or false' });
      return z.NEVER;
    });

export const envSchema = z.object({
  /** PostgreSQL connection string; unset → the embedded database in DATA_DIR. */
  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
      .optional(),
  ),
  DATA_DIR: optionalString.transform((s) => s ?? 'data'),
  PORT: optionalInt(0).transform((n) => n ?? 8080),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Readable log lines instead of JSON; unset → readable when stdout is a terminal. */
  LOG_PRETTY: boolFlag(undefined),
  /** Bearer token GET /metrics asks for; unset → the endpoint is open (keep it on a private network). */
  METRICS_TOKEN: optionalString.pipe(z.string().min(16, 'at least 16 characters, e.g. the output of openssl rand -hex 16').optional()),
  /** Seed the demo registry into an empty database: default on for the embedded one, off for PostgreSQL. */
  SEED_DEMO: boolFlag(undefined),
  /** The region's portal and contact centre, shown in help and error texts. */
  PORTAL_URL: optionalString.transform((s) => s ?? 'https://egov.kz'),
  SUPPORT_PHONE: optionalString.transform((s) => s ?? '1414'),

  IIN_MAX_ATTEMPTS: optionalInt(1).transform((n) => n ?? 5),
  IIN_LOCK_MINUTES: optionalInt(1).transform((n) => n ?? 60),

  /** Restore policy (docs/product.md §5.4): unset window/limit = any time, any number of times. */
  RESTORE_WINDOW_DAYS: optionalInt(1),
  RESTORE_MAX_TIMES: optionalInt(1),
  RESTORE_KEEPS_REGISTRATION_DATE: boolFlag(true),

  /** Reminder offsets, days before the deadline; the opening-day reminder is REMINDER_ON_OPENING. */
  REMINDER_OFFSETS_DAYS: optionalString
    .transform((s) => s ?? '30,14,7,3,1')
    .pipe(z.string().regex(/^\d{1,3}(\s*,\s*\d{1,3})*$/, 'a comma-separated list of whole days, e.g. 30,14,7,3,1'))
    .transform((s) => [...new Set(s.split(',').map((d) => Number(d.trim())))].sort((a, b) => b - a)),
  REMINDER_ON_OPENING: boolFlag(true),
  /** Daytime window for reminders, Asia/Almaty time. */
  REMINDER_WINDOW: optionalString.transform((s) => s ?? '09:00-20:00').pipe(hoursRange('09:00-20:00')),
  /** When the education department answers parents' messages: weekdays, Asia/Almaty. */
  SUPPORT_HOURS: optionalString.transform((s) => s ?? '09:00-18:00').pipe(hoursRange('09:00-18:00')),
  /** Working hours within which a parent can expect an answer (the bot says so on receipt). */
  SUPPORT_ANSWER_HOURS: optionalInt(1).transform((n) => n ?? 4),
  /** When urgent notices (a referral) may go, Asia/Almaty time; outside it they wait for its start. */
  URGENT_WINDOW: optionalString.transform((s) => s ?? '07:00-23:00').pipe(hoursRange('07:00-23:00')),
  /** Run the purge automatically at the season's deadline (else only `ops purge --confirm`). */
  PURGE_AT_DEADLINE: boolFlag(true),
  TELEGRAM_RATE_PER_SECOND: optionalInt(1).transform((n) => n ?? 25),
  WHATSAPP_RATE_PER_SECOND: optionalInt(1).transform((n) => n ?? 70),
  /** WhatsApp messaging tier: business-initiated conversations per rolling 24 hours. */
  WHATSAPP_TIER: optionalString
    .transform((s) => s ?? '250')
    .pipe(z.enum(['250', '1000', '10000', '100000', 'unlimited'], { message: 'one of 250, 1000, 10000, 100000, unlimited' })),
  OUTBOX_MAX_ATTEMPTS: optionalInt(1).transform((n) => n ?? 8),
  /**
   * Reach parents with no linked chat: a WhatsApp template to the registry phone of those who
   * consented (default on when WhatsApp is configured).
   */
  OUTREACH_WHATSAPP: boolFlag(true),
  /**
   * SMS, the last resort (when an SMS provider is configured): at offsets this many days before the
   * deadline or fewer, to parents with SMS consent who have no chat and were not reached on
   * WhatsApp; at every offset to those whom WhatsApp cannot reach at all.
   */
  SMS_LAST_RESORT_DAYS: optionalInt(0).transform((n) => n ?? 7),
  /** Names this process in leases and claimed outbox rows; default host-pid. */
  INSTANCE_ID: optionalString,
  /**
   * A folder the scheduler watches for registry files (docs/registry-sync.md): X.csv is imported
   * once X.csv.ready appears, then moved to done/ or failed/. Unset: imports are manual only.
   */
  REGISTRY_IMPORT_DIR: optionalString,

  TELEGRAM_BOT_TOKEN: optionalString,
  TELEGRAM_WEBHOOK_URL: optionalString.pipe(z.url().optional()),
  TELEGRAM_WEBHOOK_SECRET: optionalString.pipe(
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,256}$/, 'only A-Z, a-z, 0-9, _ and -, up to 256 characters')
      .optional(),
  ),
  TELEGRAM_API_ROOT: optionalString.transform((s) => s ?? 'https://api.telegram.org').pipe(z.url()),

  WHATSAPP_TOKEN: optionalString,
  WHATSAPP_PHONE_NUMBER_ID: optionalString,
  WHATSAPP_APP_SECRET: optionalString,
  WHATSAPP_VERIFY_TOKEN: optionalString,
  WHATSAPP_API_ROOT: optionalString.transform((s) => s ?? 'https://graph.facebook.com').pipe(z.url()),
  WHATSAPP_API_VERSION: optionalString.transform((s) => s ?? 'v23.0').pipe(z.string().regex(/^v\d+\.\d+$/)),

  /**
   * Deep links and stop links (src/links). The secret signs them; unset, the embedded database
   * keeps one of its own in DATA_DIR and PostgreSQL runs without deep links.
   */
  LINK_SECRET: optionalString.pipe(z.string().min(32, 'at least 32 characters, e.g. the output of openssl rand -hex 32').optional()),
  /** The bot's username for t.me links; unset → learned from Telegram (getMe) when the channel starts. */
  TELEGRAM_BOT_USERNAME: optionalString.pipe(
    z
      .string()
      .regex(/^@?[A-Za-z][A-Za-z0-9_]{3,31}$/, "the bot's username from @BotFather, e.g. kezek_almaty_bot")
      .transform((s) => s.replace(/^@/, ''))
      .optional(),
  ),
  /** The business number parents write to, for wa.me links; unset → no WhatsApp deep links. */
  WHATSAPP_DISPLAY_NUMBER: optionalString.pipe(
    z
      .string()
      .regex(/^\+?[\d\s().-]{8,24}$/, 'the international number, e.g. +7 700 123 45 67')
      .transform((s) => s.replace(/\D/g, ''))
      .pipe(z.string().regex(/^\d{8,15}$/, 'the international number, 8 to 15 digits'))
      .optional(),
  ),
  /** The service's public address, for links to its pages (SMS stop links); default: TELEGRAM_WEBHOOK_URL's origin. */
  PUBLIC_URL: optionalString.pipe(z.url().optional()),
  /**
   * The operator console (/admin): the secret that signs its session cookie, the same on every
   * instance; unset → derived from LINK_SECRET (or the embedded database's own), else the console is off.
   */
  SESSION_SECRET: optionalString.pipe(z.string().min(32, 'at least 32 characters, e.g. the output of openssl rand -hex 32').optional()),
  /** Minutes without a request after which a console session ends. */
  CONSOLE_IDLE_MINUTES: optionalInt(5).transform((n) => n ?? 30),
  /** Behind a reverse proxy: take the client's address from X-Forwarded-For (the console's login limits need it). */
  TRUST_PROXY: boolFlag(false),
  /** SMS, the last resort for parents with SMS consent and no reachable chat; unset = off. */
  SMS_PROVIDER: optionalString.pipe(z.enum(['mobizon'], { message: 'the only SMS provider is mobizon' }).optional()),
  MOBIZON_API_KEY: optionalString,
  MOBIZON_API_ROOT: optionalString.transform((s) => s ?? 'https://api.mobizon.kz').pipe(z.url()),
  /** The registered sender name (alphanumeric, up to 11 characters); unset = the account's default. */
  SMS_FROM: optionalString.pipe(
    z
      .string()
      .regex(/^[A-Za-z0-9 ._-]{1,11}$/, 'a registered sender name: up to 11 Latin letters, digits, space, dot, dash or underscore')
      .optional(),
  ),
  /** SMS parts per Asia/Almaty day for the whole deployment; required when SMS is on. */
  SMS_DAILY_BUDGET: optionalInt(1),
  SMS_RATE_PER_SECOND: optionalInt(1).transform((n) => n ?? 10),
});

export type Env = z.infer<typeof envSchema>;

export interface RestorePolicy {
  windowDays: number | null;
  maxTimes: number | null;
  keepRegistrationDate: boolean;
}

export interface CampaignSettings {
  /** Days before the deadline, descending. */
  reminderOffsetsDays: number[];
  remindOnOpening: boolean;
  /** Minutes after midnight, Asia/Almaty: reminders go out only within [start, end). */
  window: { startMinute: number; endMinute: number };
  /** Minutes after midnight, Asia/Almaty: urgent notices (a referral) go only within [start, end). */
  urgentWindow?: { startMinute: number; endMinute: number };
  purgeAtDeadline: boolean;
  ratePerSecond: { TELEGRAM: number; WHATSAPP: number };
  /** Business-initiated WhatsApp conversations per rolling 24 h; null = unlimited. */
  whatsappTier: number | null;
  maxAttempts: number;
  instanceId: string;
  /** Who the campaign contacts beyond linked chats (planner.ts, `planOutreach`). */
  reach: ReachSettings;
}

export interface ReachSettings {
  /** WhatsApp templates to the registry phones of consenting parents with no linked chat. */
  whatsappOutreach: boolean;
  /** SMS to consenting parents no chat reaches (an SMS provider is configured). */
  sms: boolean;
  /** From this many days before the deadline SMS also goes to parents WhatsApp could reach but has not. */
  smsLastResortDays: number;
  /**
   * SMS a day the budget pays for (SMS_DAILY_BUDGET over the parts a text is written to fit): the
   * planner spreads SMS over the sending days as it spreads templates under the tier; null: no cap.
   */
  smsPerDay: number | null;
}

/** The parts an SMS text is written to fit (src/campaign/sms/texts.ts; its tests hold every text to it). */
export const SMS_PARTS_PER_MESSAGE = 2;

export interface LinkSettings {
  /** From the environment only; the embedded database's own is read at start (src/links/secret.ts). */
  secret: string | null;
  telegramBotUsername: string | null;
  /** Digits only, as wa.me wants them. */
  whatsappNumber: string | null;
  /** Without a trailing slash. */
  publicUrl: string | null;
}

/** The education department's desk for parents' messages (src/services/support.ts). */
export interface SupportSettings {
  /** Weekdays, minutes after midnight Asia/Almaty: [start, end). */
  hours: { startMinute: number; endMinute: number };
  answerWithinHours: number;
}

export interface ConsoleSettings {
  /** From the environment only; else derived from the link secret at start (src/app.ts). */
  sessionSecret: string | null;
  idleMinutes: number;
  trustProxy: boolean;
  /** Cookies marked Secure: the service is reached over https (PUBLIC_URL). */
  secureCookies: boolean;
}

export interface Config {
  env: Env;
  /** GET /metrics: null = open. */
  metrics: { token: string | null };
  console: ConsoleSettings;
  campaign: CampaignSettings;
  database: { kind: 'postgres'; url: string } | { kind: 'embedded'; dataDir: string };
  seedDemo: boolean;
  portal: { url: string; supportPhone: string };
  support: SupportSettings;
  identification: { maxAttempts: number; lockMinutes: number };
  restorePolicy: RestorePolicy;
  links: LinkSettings;
  telegram: { token: string; webhookUrl?: string; webhookSecret?: string; apiRoot: string } | null;
  whatsapp: {
    token: string;
    phoneNumberId: string;
    appSecret: string;
    verifyToken: string;
    apiRoot: string;
    apiVersion: string;
  } | null;
  sms: SmsSettings | null;
}

export interface SmsSettings {
  provider: 'mobizon';
  apiKey: string;
  apiRoot: string;
  from?: string;
  /** Parts per Asia/Almaty calendar day, all instances together. */
  dailyBudget: number;
  ratePerSecond: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Configuration is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const WHATSAPP_KEYS = ['WHATSAPP_TOKEN', 'WHATSAPP_PHONE_NUMBER_ID', 'WHATSAPP_APP_SECRET', 'WHATSAPP_VERIFY_TOKEN'] as const;

function publicUrl(env: Env): string | null {
  const configured = env.PUBLIC_URL ?? (env.TELEGRAM_WEBHOOK_URL ? new URL(env.TELEGRAM_WEBHOOK_URL).origin : null);
  return configured ? configured.replace(/\/+$/, '') : null;
}

/** Parses the environment; throws a ConfigError that names every missing or malformed variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(environment)'}: ${i.message}`));
  }
  const env = parsed.data;
  const problems: string[] = [];

  const waSet = WHATSAPP_KEYS.filter((k) => env[k] !== undefined);
  if (waSet.length > 0 && waSet.length < WHATSAPP_KEYS.length) {
    for (const k of WHATSAPP_KEYS) if (env[k] === undefined) problems.push(`${k}: required when any WHATSAPP_* credential is set`);
  }
  problems.push(...smsProblems(env));
  if (env.TELEGRAM_WEBHOOK_URL && !env.TELEGRAM_BOT_TOKEN) problems.push('TELEGRAM_BOT_TOKEN: required when TELEGRAM_WEBHOOK_URL is set');
  if (env.TELEGRAM_WEBHOOK_URL && !env.TELEGRAM_WEBHOOK_SECRET)
    problems.push('TELEGRAM_WEBHOOK_SECRET: required in webhook mode, so forged updates are refused');
  if (problems.length > 0) throw new ConfigError(problems);

  const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
  const [windowStart, windowEnd] = env.REMINDER_WINDOW.split('-') as [string, string];
  if (minutes(windowStart) >= minutes(windowEnd)) throw new ConfigError(['REMINDER_WINDOW: the start must be before the end']);
  const [supportStart, supportEnd] = env.SUPPORT_HOURS.split('-') as [string, string];
  if (minutes(supportStart) >= minutes(supportEnd)) throw new ConfigError(['SUPPORT_HOURS: the start must be before the end']);
  const [urgentStart, urgentEnd] = env.URGENT_WINDOW.split('-') as [string, string];
  if (minutes(urgentStart) >= minutes(urgentEnd)) throw new ConfigError(['URGENT_WINDOW: the start must be before the end']);

  return {
    env,
    metrics: { token: env.METRICS_TOKEN ?? null },
    campaign: {
      reminderOffsetsDays: env.REMINDER_OFFSETS_DAYS,
      remindOnOpening: env.REMINDER_ON_OPENING,
      window: { startMinute: minutes(windowStart), endMinute: minutes(windowEnd) },
      urgentWindow: { startMinute: minutes(urgentStart), endMinute: minutes(urgentEnd) },
      purgeAtDeadline: env.PURGE_AT_DEADLINE,
      ratePerSecond: { TELEGRAM: env.TELEGRAM_RATE_PER_SECOND, WHATSAPP: env.WHATSAPP_RATE_PER_SECOND },
      whatsappTier: env.WHATSAPP_TIER === 'unlimited' ? null : Number(env.WHATSAPP_TIER),
      maxAttempts: env.OUTBOX_MAX_ATTEMPTS,
      instanceId: env.INSTANCE_ID ?? `${hostname()}-${process.pid}`,
      reach: {
        whatsappOutreach: env.OUTREACH_WHATSAPP && waSet.length === WHATSAPP_KEYS.length,
        sms: env.SMS_PROVIDER !== undefined,
        smsLastResortDays: env.SMS_LAST_RESORT_DAYS,
        smsPerDay: env.SMS_DAILY_BUDGET === undefined ? null : Math.max(1, Math.floor(env.SMS_DAILY_BUDGET / SMS_PARTS_PER_MESSAGE)),
      },
    },
    database: env.DATABASE_URL ? { kind: 'postgres', url: env.DATABASE_URL } : { kind: 'embedded', dataDir: env.DATA_DIR },
    console: {
      sessionSecret: env.SESSION_SECRET ?? null,
      idleMinutes: env.CONSOLE_IDLE_MINUTES,
      trustProxy: env.TRUST_PROXY,
      secureCookies: publicUrl(env)?.startsWith('https:') ?? false,
    },
    seedDemo: env.SEED_DEMO ?? !env.DATABASE_URL,
    portal: { url: env.PORTAL_URL, supportPhone: env.SUPPORT_PHONE },
    support: {
      hours: { startMinute: minutes(supportStart), endMinute: minutes(supportEnd) },
      answerWithinHours: env.SUPPORT_ANSWER_HOURS,
    },
    identification: { maxAttempts: env.IIN_MAX_ATTEMPTS, lockMinutes: env.IIN_LOCK_MINUTES },
    restorePolicy: {
      windowDays: env.RESTORE_WINDOW_DAYS ?? null,
      maxTimes: env.RESTORE_MAX_TIMES ?? null,
      keepRegistrationDate: env.RESTORE_KEEPS_REGISTRATION_DATE,
    },
    links: {
      secret: env.LINK_SECRET ?? null,
      telegramBotUsername: env.TELEGRAM_BOT_USERNAME ?? null,
      whatsappNumber: env.WHATSAPP_DISPLAY_NUMBER ?? null,
      publicUrl: publicUrl(env),
    },
    telegram: env.TELEGRAM_BOT_TOKEN
      ? {
          token: env.TELEGRAM_BOT_TOKEN,
          webhookUrl: env.TELEGRAM_WEBHOOK_URL,
          webhookSecret: env.TELEGRAM_WEBHOOK_SECRET,
          apiRoot: env.TELEGRAM_API_ROOT,
        }
      : null,
    whatsapp:
      waSet.length === WHATSAPP_KEYS.length
        ? {
            token: env.WHATSAPP_TOKEN!,
            phoneNumberId: env.WHATSAPP_PHONE_NUMBER_ID!,
            appSecret: env.WHATSAPP_APP_SECRET!,
            verifyToken: env.WHATSAPP_VERIFY_TOKEN!,
            apiRoot: env.WHATSAPP_API_ROOT,
            apiVersion: env.WHATSAPP_API_VERSION,
          }
        : null,
    sms:
      env.SMS_PROVIDER === 'mobizon'
        ? {
            provider: 'mobizon',
            apiKey: env.MOBIZON_API_KEY!,
            apiRoot: env.MOBIZON_API_ROOT,
            ...(env.SMS_FROM ? { from: env.SMS_FROM } : {}),
            dailyBudget: env.SMS_DAILY_BUDGET!,
            ratePerSecond: env.SMS_RATE_PER_SECOND,
          }
        : null,
  };
}

/** SMS is on with SMS_PROVIDER; its key and budget without it, or it without them, is half a configuration. */
function smsProblems(env: Env): string[] {
  if (env.SMS_PROVIDER === undefined) {
    const stray = (['MOBIZON_API_KEY', 'SMS_DAILY_BUDGET', 'SMS_FROM'] as const).filter((k) => env[k] !== undefined);
    return stray.length > 0 ? [`SMS_PROVIDER: required when ${stray.join(', ')} ${stray.length > 1 ? 'are' : 'is'} set (SMS_PROVIDER=mobizon)`] : [];
  }
  const problems: string[] = [];
  if (env.MOBIZON_API_KEY === undefined) problems.push("MOBIZON_API_KEY: required when SMS_PROVIDER=mobizon (the key from the Mobizon account's API settings)");
  if (env.SMS_DAILY_BUDGET === undefined) problems.push('SMS_DAILY_BUDGET: required when SMS_PROVIDER is set (SMS parts per day, all instances together)');
  // An SMS's only way into the bots and out of the SMS is its page: without it the text could not
  // say how to stop.
  if (publicUrl(env) === null) problems.push('PUBLIC_URL: required when SMS_PROVIDER is set (every SMS links to its page there: the bots and the stop button)');
  if (env.DATABASE_URL && env.LINK_SECRET === undefined) {
    problems.push('LINK_SECRET: required when SMS_PROVIDER is set on PostgreSQL (the SMS links are signed with it, the same on every instance)');
  }
  return problems;
}
