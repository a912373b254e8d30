/**
 * `npm run simulate:season`: a whole extension season on a virtual clock, through the product's own
 * planner (scheduler ticks under their lease) and outbox dispatcher, sending to the loopback fakes
 * of the platforms — over a generated registry of parents who need to extend, with consent shares,
 * a share already linked to a bot, the WhatsApp tier, the SMS budget, and a response model (the
 * share of parents who extend after a reminder reaches them, within two days). Prints per day the
 * parents reached, extended and still at risk, and at the deadline the coverage and the
 * applications the purge would move — for the campaign as it reaches every consenting parent, and
 * for the linked-chats-only campaign on the same registry and responses (`SIM_BASELINE=0` skips it).
 *
 * Settings (environment): SIM_PARENTS (200000), SIM_TIER (1000: 250, 1000, 10000, 100000,
 * unlimited), SIM_SMS (1: on; 0 off), SIM_SMS_BUDGET (segments a day, 20000), SIM_LINKED (0.1:
 * share linked to a bot before the season), SIM_CONSENT_WA (0.7), SIM_CONSENT_SMS (0.45),
 * SIM_RESPONSE (0.35: chance a reached parent extends; a template 0.8 of it, an SMS 0.6),
 * SIM_ORGANIC (0.004: chance a day that a parent extends on the portal by themselves),
 * SIM_DAYS (30), SIM_SEED (1), SIM_BASELINE (1), SIM_BATCH (2000: rows per dispatcher claim).
 */
import { createDispatcher, type Dispatcher } from '../../src/campaign/outbox/dispatcher.ts';
import { campaignCoverage } from '../../src/campaign/coverage.ts';
import { plannerTick, type SchedulerDeps } from '../../src/campaign/scheduler.ts';
import { manualClock, type ManualClock } from '../../src/clock.ts';
import { loadConfig, SMS_PARTS_PER_MESSAGE, type CampaignSettings, type ReachSettings } from '../../src/config/env.ts';
import { openDatabase } from '../../src/db/client.ts';
import { addDays, fromAlmaty, toAlmaty } from '../../src/domain/almaty-time.ts';
import { createRandom } from '../../src/domain/random.ts';
import { createLogger } from '../../src/log.ts';
import type { Db } from '../../src/services/db.ts';
import type { NotificationSender } from '../../src/campaign/senders.ts';
import { CAMPAIGN_TEMPLATES } from '../../bots/whatsapp/notifier.ts';
import { FakeGraphApi } from '../../test-support/fakes/graph-api.ts';
import { FakeTelegramApi } from '../../test-support/fakes/telegram-api.ts';
import { createEmptyPostgresDatabase } from '../../test-support/db.ts';
import { telegramSender, WA, whatsappSender } from '../../test-support/dispatch-harness.ts';
import { simSmsSender } from './sms.ts';
import { deepLinksFor } from '../../src/campaign/outbox/deep-links.ts';
import { LinkService } from '../../src/links/links.ts';
import { randomBytes } from 'node:crypto';

const env = (name: string, fallback: string) => process.env[name] ?? fallback;
const PARENTS = Number(env('SIM_PARENTS', '200000'));
const TIER = env('SIM_TIER', '1000');
const SMS_ON = env('SIM_SMS', '1') !== '0';
const SMS_BUDGET = Number(env('SIM_SMS_BUDGET', '20000'));
const LINKED = Number(env('SIM_LINKED', '0.1'));
const CONSENT_WA = Number(env('SIM_CONSENT_WA', '0.7'));
const CONSENT_SMS = Number(env('SIM_CONSENT_SMS', '0.45'));
const RESPONSE = Number(env('SIM_RESPONSE', '0.35'));
const ORGANIC = Number(env('SIM_ORGANIC', '0.004'));
const DAYS = Number(env('SIM_DAYS', '30'));
const SEED = Number(env('SIM_SEED', '1'));
const BASELINE = env('SIM_BASELINE', '1') !== '0';
/** Rows the dispatcher claims at once: bigger than the product's default, fewer round trips per simulated day. */
const BATCH = Number(env('SIM_BATCH', '2000'));
/** A template or an SMS persuades a little less than a message in a chat the parent already uses. */
const RESPONSE_BY_ROUTE = { chat: 1, template: 0.8, sms: 0.6 } as const;

interface Scenario {
  name: string;
  reach: ReachSettings;
}

interface DayRow {
  day: number;
  reached: number;
  extended: number;
  atRisk: number;
  sent: { TELEGRAM: number; WHATSAPP: number; SMS: number };
}

interface Result {
  scenario: Scenario;
  days: DayRow[];
  coverage: Awaited<ReturnType<typeof campaignCoverage>>;
  purged: number;
  seconds: number;
}

const say = (s: string) => console.log(s);

/** Where a run's time goes (SIM_PROFILE=1 prints it per scenario). */
const spent = new Map<string, number>();
async function timed<T>(what: string, fn: () => Promise<T>): Promise<T> {
  const t = performance.now();
  try {
    return await fn();
  } finally {
    spent.set(what, (spent.get(what) ?? 0) + performance.now() - t);
  }
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const database = await createEmptyPostgresDatabase();
  // Interrupted, the throwaway database goes too.
  process.once('SIGINT', () => void database.drop().finally(() => process.exit(130)));
  // It measures the campaign, not the disk: commits do not wait for fsync (a crash loses nothing
  // that matters here). Set on the database before the product's connections open.
  const setup = await openDatabase({ kind: 'postgres', url: database.url });
  await setup.prisma.$executeRawUnsafe(`ALTER DATABASE "${database.name}" SET synchronous_commit = off`);
  await setup.close();
  const db = await openDatabase({ kind: 'postgres', url: database.url });
  const telegram = await FakeTelegramApi.start();
  const graph = await FakeGraphApi.start(WA);
  try {
    const start = fromAlmaty(addDays(toAlmaty(new Date('2026-11-02T00:00:00Z')), 0), 8 * 60);
    const season = await createRegistry(db.prisma, start);
    say(
      `registry: ${PARENTS} parents needing extension (${(LINKED * 100).toFixed(0)} % linked to a bot, WhatsApp consent ${(CONSENT_WA * 100).toFixed(0)} %, SMS consent ${(CONSENT_SMS * 100).toFixed(0)} %), ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
    const scenarios: Scenario[] = [
      {
        name: `every consenting parent: WhatsApp tier ${TIER}${SMS_ON ? `, SMS ${SMS_BUDGET} segments a day` : ', no SMS'}`,
        reach: { whatsappOutreach: true, sms: SMS_ON, smsLastResortDays: 7, smsPerDay: Math.floor(SMS_BUDGET / SMS_PARTS_PER_MESSAGE) },
      },
      ...(BASELINE
        ? [{ name: 'linked chats only (the campaign before)', reach: { whatsappOutreach: false, sms: false, smsLastResortDays: 7, smsPerDay: null } }]
        : []),
    ];
    const results: Result[] = [];
    for (const scenario of scenarios) {
      await resetCampaign(db.prisma, season.id);
      graph.clear();
      results.push(await runSeason(db.prisma, scenario, season, start, { telegram, graph }));
    }
    report(results);
    say(`\ntotal ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  } finally {
    await telegram.close();
    await graph.close();
    await db.close();
    await database.drop();
  }
}

/** Parents (one application each, needing extension), consent and linked chats, drawn from the seed. */
async function createRegistry(db: Db, start: Date) {
  const deadline = fromAlmaty(addDays(toAlmaty(start), DAYS), 23 * 60 + 59, 59);
  const season = await db.season.create({
    data: { code: 'SIM', opensAt: start, deadline, validUntil: new Date(deadline.getTime() + 365 * 86_400_000) },
  });
  const oldValidity = new Date(deadline.getTime() - 60_000);
  await db.$executeRaw`SELECT setseed(${(SEED % 1000) / 1000}::float8)`;
  await db.$executeRaw`
    INSERT INTO parents (iin, "fullName", phone, locale, "notifyWhatsapp", "notifySms")
    SELECT lpad(i::text, 12, '0'), 'Ата-ана ' || i, '+7700' || lpad(i::text, 7, '0'),
           (CASE WHEN random() < 0.6 THEN 'kk' ELSE 'ru' END)::"Locale",
           random() < ${CONSENT_WA}::float8, random() < ${CONSENT_SMS}::float8
    FROM generate_series(1, ${PARENTS}::int) AS i`;
  await db.$executeRaw`
    INSERT INTO children (iin, "fullName", "birthDate", "parentId")
    SELECT lpad((p.id + 100000000)::text, 12, '0'), 'Бала ' || p.id, DATE '2022-06-01', p.id FROM parents p`;
  await db.$executeRaw`
    INSERT INTO applications ("queueNumber", "parentId", "childId", "registeredAt", status, "validUntil")
    SELECT c.id, c."parentId", c.id, TIMESTAMP '2023-05-10 06:00', 'ACTIVE', ${oldValidity}::timestamp(3) FROM children c`;
  await db.$executeRaw`
    INSERT INTO chat_links (channel, "chatId", "parentId", locale, "verifiedAt", "lastInboundAt")
    SELECT (CASE WHEN random() < 0.6 THEN 'TELEGRAM' ELSE 'WHATSAPP' END)::"Channel", (p.id + 500000000)::text, p.id, p.locale,
           ${new Date(start.getTime() - 30 * 86_400_000)}::timestamp(3), ${new Date(start.getTime() - 30 * 86_400_000)}::timestamp(3)
    FROM parents p WHERE random() < ${LINKED}::float8`;
  await db.$executeRaw`ANALYZE`;
  return { ...season, oldValidity };
}

async function resetCampaign(db: Db, seasonId: number): Promise<void> {
  await db.$executeRaw`TRUNCATE outbox, extensions, link_tokens, sms_budget_days, notification_opt_outs, undeliverable_addresses, rate_limit_buckets, scheduler_leases, early_delivery_statuses`;
  await db.$executeRaw`UPDATE applications SET "validUntil" = (SELECT deadline - interval '1 minute' FROM seasons WHERE id = ${seasonId}::int)`;
  await db.$executeRaw`ANALYZE outbox`;
}

async function runSeason(
  db: Db,
  scenario: Scenario,
  season: { id: number; deadline: Date; validUntil: Date; oldValidity: Date },
  start: Date,
  fakes: { telegram: FakeTelegramApi; graph: FakeGraphApi },
): Promise<Result> {
  const t0 = Date.now();
  const clock = manualClock(start);
  const logger = createLogger(process.env.SIM_LOG ?? 'silent');
  const base = loadConfig({ WHATSAPP_TIER: TIER, LOG_LEVEL: 'silent' }).campaign;
  const settings: CampaignSettings = { ...base, reach: scenario.reach, instanceId: 'sim' };
  const senders: NotificationSender[] = [await telegramSender(fakes.telegram.apiRoot), await whatsappSender(fakes.graph.url)];
  const sms = scenario.reach.sms ? await simSmsSender(db, clock, SMS_BUDGET, settings.window) : null;
  if (sms) senders.push(sms.sender);
  const dispatcher = createDispatcher({
    prisma: db,
    dbKind: 'postgres',
    senders,
    // The platforms' per-second rates are not what this simulates (the tier and the budget are):
    // high enough that a day's sends never wait for a slot.
    settings: {
      ratePerSecond: { TELEGRAM: 50_000, WHATSAPP: 50_000, SMS: 50_000 },
      whatsappTier: settings.whatsappTier,
      maxAttempts: 8,
      window: settings.window,
      batchSize: BATCH,
    },
    clock,
    logger,
    instanceId: 'sim',
    templates: CAMPAIGN_TEMPLATES,
    sleep: async (ms) => clock.advance(ms),
    // Each SMS links to its page, issued by the real link service (one token row per parent).
    deepLinks: deepLinksFor(
      db,
      new LinkService(randomBytes(32), { telegramBot: 'kezek_sim_bot', whatsappNumber: '77001234567', publicUrl: 'https://kezek.example.kz' }),
    ),
  });
  const deps: SchedulerDeps = { db, clock, logger, settings };
  const random = createRandom(SEED).derive(scenario.name);
  const pending: { at: number; parentId: number }[] = [];
  const days: DayRow[] = [];
  // Sends are not in id order (a deferred SMS goes days after later rows): read by send time, count each once.
  const seen = { since: new Date(0), ids: new Set<number>() };
  for (let day = 0; day <= DAYS; day++) {
    const date = addDays(toAlmaty(start), day);
    const sent = { TELEGRAM: 0, WHATSAPP: 0, SMS: 0 };
    // Through the day, hour by hour inside the window: the planner's tick, the dispatcher, the parents' answers.
    for (let minute = settings.window.startMinute; minute < settings.window.endMinute; minute += 60) {
      const at = fromAlmaty(date, minute);
      if (at.getTime() >= season.deadline.getTime()) break;
      clock.set(at);
      await timed('planner', () => plannerTick(deps));
      await timed('dispatch', () => tickUntilIdle(dispatcher, clock, at));
      await timed('responses', () => drawResponses(db, random, pending, seen, clock.now(), sent));
      await timed('extend', () => applyResponses(db, pending, clock.now(), season));
    }
    clock.set(fromAlmaty(addDays(date, 1), 0));
    await timed('organic', () => organic(db, random, season, clock.now()));
    await timed('extend', () => applyResponses(db, pending, clock.now(), season));
    const [row] = await db.$queryRaw<{ reached: number; extended: number; atrisk: number }[]>`
      SELECT (SELECT count(DISTINCT "parentId")::int FROM outbox WHERE "seasonId" = ${season.id}::int AND status = 'SENT') AS reached,
             (SELECT count(*)::int FROM applications WHERE "validUntil" >= ${season.validUntil}::timestamp(3)) AS extended,
             (SELECT count(*)::int FROM applications WHERE status = 'ACTIVE' AND "validUntil" < ${season.validUntil}::timestamp(3)) AS atrisk`;
    days.push({ day, reached: row!.reached, extended: row!.extended, atRisk: row!.atrisk, sent });
    process.stdout.write(`\r${scenario.name}: day ${day}/${DAYS} reached ${row!.reached} extended ${row!.extended}   `);
  }
  await dispatcher.stop();
  await sms?.close();
  process.stdout.write('\n');
  if (process.env.SIM_PROFILE === '1') {
    say(`time: ${[...spent].map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(', ')}`);
    spent.clear();
  }
  const coverage = await campaignCoverage(db, season, scenario.reach);
  const [{ purged }] = (await db.$queryRaw<{ purged: number }[]>`
    SELECT count(*)::int AS purged FROM applications WHERE status = 'ACTIVE' AND "validUntil" < ${season.validUntil}::timestamp(3)`) as [{ purged: number }];
  return { scenario, days, coverage, purged, seconds: (Date.now() - t0) / 1000 };
}

/** Ticks the dispatcher until a tick sends nothing more, within the hour. */
async function tickUntilIdle(d: Dispatcher, clock: ManualClock, hour: Date): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const t = performance.now();
    const s = await d.tick();
    if (process.env.SIM_TRACE) console.log(`tick ${i} ${(performance.now() - t).toFixed(0)} ms ${JSON.stringify(s)}`);
    if (s.sent + s.retried + s.failed + s.cancelled + s.deferred === 0) break;
    if (clock.now().getTime() > hour.getTime() + 55 * 60_000) break;
  }
}

/** Each reminder delivered since the last look persuades its parent with the route's chance, within two days. */
async function drawResponses(
  db: Db,
  random: ReturnType<typeof createRandom>,
  pending: { at: number; parentId: number }[],
  seen: { since: Date; ids: Set<number> },
  now: Date,
  sent: DayRow['sent'],
): Promise<void> {
  const rows = await db.$queryRaw<{ id: number; parentId: number; channel: 'TELEGRAM' | 'WHATSAPP' | 'SMS'; outreach: boolean; sentAt: Date }[]>`
    SELECT id, "parentId", channel::text AS channel, coalesce(payload->>'outreach', '') = 'true' AS outreach, "sentAt"
    FROM outbox WHERE status = 'SENT' AND "sentAt" >= ${seen.since}::timestamp(3) ORDER BY "sentAt", id`;
  for (const r of rows) {
    if (seen.ids.has(r.id)) continue;
    seen.ids.add(r.id);
    if (r.sentAt > seen.since) seen.since = r.sentAt;
    sent[r.channel]++;
    const route = r.channel === 'SMS' ? 'sms' : r.outreach ? 'template' : 'chat';
    if (random.next() < RESPONSE * RESPONSE_BY_ROUTE[route]) pending.push({ parentId: r.parentId, at: now.getTime() + random.int(10, 48 * 60) * 60_000 });
  }
}

/** The extensions whose time has come: the application extended as the questionnaire does. */
async function applyResponses(
  db: Db,
  pending: { at: number; parentId: number }[],
  now: Date,
  season: { id: number; validUntil: Date; oldValidity: Date },
): Promise<void> {
  const due = pending.filter((p) => p.at <= now.getTime());
  if (due.length === 0) return;
  const keep = pending.filter((p) => p.at > now.getTime());
  pending.length = 0;
  pending.push(...keep);
  await extend(db, [...new Set(due.map((p) => p.parentId))], season, now);
}

async function organic(db: Db, random: ReturnType<typeof createRandom>, season: { id: number; validUntil: Date; oldValidity: Date }, now: Date): Promise<void> {
  const ids = await db.$queryRaw<{ id: number }[]>`
    SELECT "parentId" AS id FROM applications WHERE status = 'ACTIVE' AND "validUntil" < ${season.validUntil}::timestamp(3)`;
  const chosen = ids.filter(() => random.next() < ORGANIC).map((r) => r.id);
  await extend(db, chosen, season, now);
}

async function extend(db: Db, parentIds: number[], season: { id: number; validUntil: Date; oldValidity: Date }, now: Date): Promise<void> {
  if (parentIds.length === 0) return;
  await db.$executeRaw`
    WITH moved AS (
      UPDATE applications SET "validUntil" = ${season.validUntil}::timestamp(3)
      WHERE "parentId" = ANY(${parentIds}::int[]) AND status = 'ACTIVE' AND "validUntil" < ${season.validUntil}::timestamp(3)
      RETURNING id
    )
    INSERT INTO extensions ("applicationId", "seasonId", kind, "oldValidUntil", "newValidUntil", channel, "createdAt")
    SELECT id, ${season.id}::int, 'EXTEND', ${season.oldValidity}::timestamp(3), ${season.validUntil}::timestamp(3), 'TELEGRAM', ${now}::timestamp(3) FROM moved`;
}

function report(results: Result[]): void {
  for (const r of results) {
    say(`\n## ${r.scenario.name} (${r.seconds.toFixed(0)} s)`);
    say('| day | reached | extended | at risk | sent: Telegram / WhatsApp / SMS |');
    say('|---|---|---|---|---|');
    for (const d of r.days) say(`| ${d.day} | ${d.reached} | ${d.extended} | ${d.atRisk} | ${d.sent.TELEGRAM} / ${d.sent.WHATSAPP} / ${d.sent.SMS} |`);
    const c = r.coverage;
    const pct = (n: number) => `${((100 * n) / Math.max(1, c.audience)).toFixed(1)} %`;
    say(
      `\nAt the deadline: reached ${c.reached} of ${c.audience} (${pct(c.reached)}: chat ${c.byChat}, WhatsApp template ${c.byWhatsappOutreach}, SMS ${c.bySms}); extended ${c.extended} (${pct(c.extended)}); out of reach ${c.unreachable}; the purge would move ${r.purged} applications.`,
    );
  }
  if (results.length === 2) {
    const [all, before] = results as [Result, Result];
    say(
      `\nApplications saved against the linked-chats-only campaign: ${before.purged - all.purged} (${before.purged} → ${all.purged} moved to the stop-list).`,
    );
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
