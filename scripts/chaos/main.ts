/**
 * `npm run chaos`: three product instances on one throwaway PostgreSQL database behind the loopback
 * fake platforms (Telegram webhook mode, WhatsApp Cloud API), a round-robin balancer, a simulated
 * population of parents chatting (identification, the six questions, the extension; some only
 * identify and wait for reminders) and a reminder campaign running — while instances are killed
 * with SIGKILL at seeded random moments and restarted. At the end (graceful stop, outbox drained)
 * it checks the invariants (scripts/chaos/invariants.ts), prints the counts and exits 0 only when
 * every one holds. Loopback only; stops by itself within about three minutes.
 *
 * Mid-run the registry changes: a file of referrals for some of the quiet parents' applications is
 * dropped into the instances' REGISTRY_IMPORT_DIR, imported by whichever instance holds the sync
 * lease (instances die meanwhile), and each referral must reach its chat — once, but for a send cut
 * off in flight — and the file end in done/.
 *
 * CHAOS_SEED (1), CHAOS_PARENTS (120), CHAOS_SECONDS (70: the chaotic phase), CHAOS_KILLS (4),
 * CHAOS_KEEP_LOGS=1 keeps the instances' logs (printed path).
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { dueReminder } from '../../src/campaign/schedule.ts';
import { currentSeason } from '../../src/campaign/seasons.ts';
import { loadConfig } from '../../src/config/env.ts';
import { openDatabase } from '../../src/db/client.ts';
import { seedDemo } from '../../src/db/seed/index.ts';
import { FakeGraphApi } from '../../test-support/fakes/graph-api.ts';
import { FakeTelegramApi } from '../../test-support/fakes/telegram-api.ts';
import { createEmptyPostgresDatabase } from '../../test-support/db.ts';
import { Balancer } from './balancer.ts';
import { Instances, type Instance } from './instances.ts';
import { checkInvariants, type AppSnapshot, type Referral } from './invariants.ts';
import { seededRandom, sleep } from './random.ts';
import { TELEGRAM_SECRET, TelegramParent, TelegramScreens, type ParentOutcome, type SimParent } from './telegram-parent.ts';
import { WA_APP_SECRET, WA_NUMBER, WA_TOKEN, WA_VERIFY_TOKEN, WhatsAppParent } from './whatsapp-parent.ts';

const SEED = Number(process.env['CHAOS_SEED'] ?? 1);
const PARENTS = Number(process.env['CHAOS_PARENTS'] ?? 120);
/** Chats linked a week before the run and quiet since: they receive the reminders. */
const QUIET = 40;
const CHAOS_MS = Number(process.env['CHAOS_SECONDS'] ?? 70) * 1000;
const KILLS = Number(process.env['CHAOS_KILLS'] ?? 4);
const INSTANCES = 3;
/** Everything, setup to verdict, is given up after this. */
const HARD_LIMIT_MS = 210_000;
const WINDOW = '00:00-23:59';
/** The dispatcher's lanes per channel at the default rates (src/campaign/outbox/dispatcher.ts). */
const lanesAt = (ratePerSecond: number) => Math.max(1, Math.min(64, Math.ceil(ratePerSecond * (1 - 0.03) * 0.2)));

const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
const say = (line: string) => console.log(`[chaos ${elapsed()}] ${line}`);

async function main(): Promise<number> {
  const hardStop = setTimeout(() => {
    console.error(`chaos: not done within ${HARD_LIMIT_MS / 1000} s, giving up`);
    process.exit(1);
  }, HARD_LIMIT_MS);
  hardStop.unref();
  const random = seededRandom(SEED);
  const cleanup: (() => Promise<unknown>)[] = [];
  const logDir = await mkdtemp(path.join(os.tmpdir(), 'kq-chaos-'));
  try {
    // ——— the database: migrated, a small demo registry, a season with a reminder due now ———
    const database = await createEmptyPostgresDatabase();
    cleanup.push(() => database.drop());
    const db = await openDatabase({ kind: 'postgres', url: database.url });
    const now = new Date();
    await seedDemo(db.prisma, { now, seed: SEED, parents: 300, kindergartens: 30 });
    const season = (await currentSeason(db.prisma, now))!;
    const settings = loadConfig({ REMINDER_WINDOW: WINDOW, PURGE_AT_DEADLINE: 'false' }).campaign;
    const due = dueReminder(season, settings, now);
    if (!due) throw new Error('the seeded season has no reminder due now');
    await db.close();
    say(`database ${database.name}: 300 parents, 30 kindergartens, season ${season.code} (reminder offset ${due.offsetDays} due)`);

    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    cleanup.push(() => admin.end());
    const candidates = (
      await admin.query<{ id: number; iin: string; phone: string }>(
        `SELECT p.id, p.iin, p.phone FROM parents p
         WHERE EXISTS (SELECT 1 FROM applications a WHERE a."parentId" = p.id AND a.status = 'ACTIVE' AND a."validUntil" < $1)
           AND (SELECT count(*) FROM parents o WHERE o.phone = p.phone) = 1
         ORDER BY p.id LIMIT $2`,
        [season.validUntil, PARENTS + QUIET],
      )
    ).rows.slice(0, PARENTS);
    // Parents who linked a chat last week and went quiet: the campaign's reminders are for them
    // (a parent using the bot right now is not interrupted by one, so the simulated ones get none).
    const quiet = await linkQuietChats(admin, season.validUntil, PARENTS, QUIET, now);
    const baseline = (
      await admin.query<{ questionnaire: number; extension: number }>(
        `SELECT (SELECT coalesce(max(id), 0) FROM questionnaires)::int AS questionnaire, (SELECT coalesce(max(id), 0) FROM extensions)::int AS extension`,
      )
    ).rows[0]!;
    const before = (await admin.query<AppSnapshot>(`SELECT id, "parentId", status::text AS status, "validUntil" FROM applications`)).rows;
    const registryDir = await mkdtemp(path.join(os.tmpdir(), 'kq-chaos-registry-'));
    cleanup.push(() => rm(registryDir, { recursive: true, force: true }));
    // More chats, linked a week ago as well, for the registry's referrals (their reminders are not checked).
    const referralChats = await linkQuietChats(admin, season.validUntil, PARENTS + QUIET, REFERRAL_CHATS, now);
    const referrals = await referralExport(
      admin,
      [
        { chats: quiet, minNeeding: 2 },
        { chats: referralChats, minNeeding: 1 },
      ],
      season.validUntil,
    );

    // ——— the platforms and the instances ———
    const telegram = await FakeTelegramApi.start();
    cleanup.push(() => telegram.close());
    const graph = await FakeGraphApi.start({ token: WA_TOKEN, phoneNumberId: WA_NUMBER.phoneNumberId, version: 'v23.0' });
    cleanup.push(() => graph.close());
    const instances = new Instances(
      {
        PATH: process.env['PATH'] ?? '',
        HOME: process.env['HOME'] ?? '',
        DATABASE_URL: database.url,
        SEED_DEMO: 'false',
        LOG_LEVEL: 'info',
        TELEGRAM_BOT_TOKEN: telegram.token,
        TELEGRAM_API_ROOT: telegram.apiRoot,
        TELEGRAM_WEBHOOK_URL: 'http://127.0.0.1:9/balancer',
        TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
        WHATSAPP_TOKEN: WA_TOKEN,
        WHATSAPP_PHONE_NUMBER_ID: WA_NUMBER.phoneNumberId,
        WHATSAPP_APP_SECRET: WA_APP_SECRET,
        WHATSAPP_VERIFY_TOKEN: WA_VERIFY_TOKEN,
        WHATSAPP_API_ROOT: graph.url,
        WHATSAPP_API_VERSION: 'v23.0',
        REMINDER_WINDOW: WINDOW,
        PURGE_AT_DEADLINE: 'false',
        REGISTRY_IMPORT_DIR: registryDir,
        // Referrals wait through the night in production; the run may be at any hour.
        URGENT_WINDOW: WINDOW,
      },
      logDir,
    );
    cleanup.push(() => instances.close());
    await instances.add(INSTANCES);
    await Promise.all(instances.all.map((i) => instances.start(i)));
    say(`${INSTANCES} instances up (logs in ${logDir})`);

    // ——— the population ———
    const lb = new Balancer(instances);
    const screens = new TelegramScreens(telegram);
    const acknowledged = { TELEGRAM: new Set<string>(), WHATSAPP: new Set<string>() };
    const chats = new Map<string, number>();
    const sims = candidates.map((c, k) => {
      // Idle parents go first, so a planner tick (each minute) finds them linked and waiting.
      const idle = k < Math.round(candidates.length * 0.2);
      const p: SimParent = { iin: c.iin, phone: c.phone, idle };
      const onWhatsApp = random.next() < 0.3;
      if (onWhatsApp) {
        const sim = new WhatsAppParent(p, graph, lb, acknowledged.WHATSAPP);
        chats.set(`WHATSAPP:${sim.waId}`, c.id);
        return { key: `WHATSAPP:${sim.waId}`, parentId: c.id, channel: 'WHATSAPP' as const, idle, run: () => sim.run(), outcome: sim.outcome };
      }
      const sim = new TelegramParent(p, 8_000_000 + k, screens, lb, acknowledged.TELEGRAM);
      chats.set(`TELEGRAM:${sim.user.id}`, c.id);
      return { key: `TELEGRAM:${sim.user.id}`, parentId: c.id, channel: 'TELEGRAM' as const, idle, run: () => sim.run(), outcome: sim.outcome };
    });
    const outcomes: (ParentOutcome & { parentId: number; channel: 'TELEGRAM' | 'WHATSAPP'; idle: boolean })[] = [];
    const arrivals = CHAOS_MS * 0.6;
    let idleIdentifiedAt = Date.now();
    const population = Promise.all(
      sims.map(async (s, k) => {
        await sleep((arrivals * k) / sims.length + random.int(0, 500));
        const o = await s.run().catch((err: unknown) => ({ identified: false, completed: false, retries: 0, stuck: String(err) }));
        outcomes.push({ ...o, parentId: s.parentId, channel: s.channel, idle: s.idle });
        if (s.idle) idleIdentifiedAt = Math.max(idleIdentifiedAt, Date.now());
      }),
    );

    // ——— the chaos: SIGKILL at seeded random moments, restart a few seconds later ———
    const killTimes = Array.from({ length: KILLS }, () => random.int(5_000, CHAOS_MS - 10_000)).sort((a, b) => a - b);
    // One kill lands right after a planner tick, while the dispatchers are sending its reminders.
    const toMinute = 60_000 - (Date.now() % 60_000);
    if (KILLS > 0 && toMinute + 6_000 < CHAOS_MS) killTimes[random.int(0, KILLS - 1)] = toMinute + random.int(5_000, 5_600);
    killTimes.sort((a, b) => a - b);
    const chaosStart = Date.now();
    // The registry's referrals, complete (marker last), picked up by the next sync tick.
    await writeFile(path.join(registryDir, REFERRAL_FILE), referrals.csv);
    await writeFile(path.join(registryDir, `${REFERRAL_FILE}.ready`), '');
    say(`registry: ${referrals.rows.length} referrals dropped for import`);
    let kills = 0;
    const restarts: Promise<void>[] = [];
    for (const at of killTimes) {
      await sleep(Math.max(0, chaosStart + at - Date.now()));
      const live = instances.live();
      if (live.length < 2) continue; // one instance always serves
      const victim: Instance = random.pick(live);
      await instances.kill(victim);
      kills++;
      const downMs = random.int(2_000, 6_000);
      say(`SIGKILL ${victim.id} (down ${(downMs / 1000).toFixed(1)} s)`);
      restarts.push(sleep(downMs).then(() => instances.start(victim)));
    }
    await Promise.all(restarts);
    await population;
    say(`population done: ${outcomes.filter((o) => o.completed).length} completed, ${outcomes.filter((o) => o.idle && o.identified).length} idle and waiting`);

    // ——— the end: a planner tick after the last identification, outbox drained, graceful stop ———
    const nextTick = idleIdentifiedAt + (60_000 - (idleIdentifiedAt % 60_000));
    const imported = async () => (await readdir(path.join(registryDir, 'done')).catch(() => [] as string[])).length > 0;
    while ((Date.now() < nextTick + 6_000 || !(await imported())) && Date.now() - t0 < HARD_LIMIT_MS - 50_000) await sleep(500);
    // A WhatsApp message cut off by a late kill waits for a sweep (every 30 s, of updates older
    // than 10 s): the drain waits for that too, so the check below needs no allowance for it.
    const drainEnd = Date.now() + 45_000;
    for (;;) {
      const { outbox, inbox } = (
        await admin.query<{ outbox: number; inbox: number }>(
          // Reminders held back for a chat in use wait an hour: not part of the drain.
          `SELECT (SELECT count(*)::int FROM outbox WHERE status IN ('PENDING', 'SENDING') AND coalesce(error, '') NOT LIKE 'held:%') AS outbox,
                  (SELECT count(*)::int FROM inbound_updates WHERE channel = 'WHATSAPP' AND "processedAt" IS NULL) AS inbox`,
        )
      ).rows[0]!;
      if ((outbox === 0 && inbox === 0) || Date.now() > drainEnd) break;
      await sleep(500);
    }
    const codes = await Promise.all(instances.all.map((i) => instances.stop(i)));
    say(`instances stopped: exit codes ${codes.join(', ')}`);

    const report = await checkInvariants({
      url: database.url,
      seasonId: season.id,
      seasonValidUntil: season.validUntil,
      before,
      baseline,
      confirmed: outcomes.filter((o) => o.completed).map((o) => ({ parentId: o.parentId, channel: o.channel })),
      acknowledged,
      telegram,
      graph,
      chats,
      firstWrote: new Map(sims.flatMap((s) => (s.outcome.firstWroteAt === undefined ? [] : [[s.key, s.outcome.firstWroteAt] as const]))),
      quiet,
      kills,
      lanes: { TELEGRAM: lanesAt(settings.ratePerSecond.TELEGRAM), WHATSAPP: lanesAt(settings.ratePerSecond.WHATSAPP) },
      registry: { dir: registryDir, file: REFERRAL_FILE, referrals: referrals.rows },
    });
    for (const [i, code] of codes.entries()) if (code !== 0) report.violations.push(`instance ${i + 1} exited ${code} on SIGTERM`);

    const stuck = outcomes.filter((o) => o.stuck);
    const figures: [string, string | number][] = [
      ['seed', SEED],
      ['instances / kills / restarts', `${INSTANCES} / ${kills} / ${instances.all.reduce((s, i) => s + i.starts, 0) - INSTANCES}`],
      [
        'parents simulated (Telegram / WhatsApp)',
        `${outcomes.length} (${outcomes.filter((o) => o.channel === 'TELEGRAM').length} / ${outcomes.filter((o) => o.channel === 'WHATSAPP').length})`,
      ],
      [
        'identified / completed / idle',
        `${outcomes.filter((o) => o.identified).length} / ${outcomes.filter((o) => o.completed).length} / ${outcomes.filter((o) => o.idle).length}`,
      ],
      ['parent re-sends after silence', outcomes.reduce((s, o) => s + o.retries, 0)],
      ['parents stuck', stuck.length],
      ['webhook posts / redelivered by the balancer', `${lb.stats.posts} / ${lb.stats.redeliveries}`],
      ...report.figures,
    ];
    console.log('\nChaos run');
    const width = Math.max(...figures.map(([k]) => k.length));
    for (const [k, v] of figures) console.log(`  ${k.padEnd(width)}  ${v}`);
    for (const s of stuck.slice(0, 5)) console.log(`  stuck: parent ${s.parentId} (${s.channel}) at ${s.stuck}`);
    // A stuck parent is a finding, not a broken invariant; but nobody completing means the run proved nothing.
    if (outcomes.filter((o) => o.completed).length === 0) report.violations.push('no parent completed: the run proved nothing');
    if (report.violations.length === 0) {
      console.log('\nAll invariants hold.');
      return 0;
    }
    console.log(`\n${report.violations.length} violation(s):`);
    for (const v of report.violations.slice(0, 30)) console.log(`  - ${v}`);
    return 1;
  } finally {
    for (const c of cleanup.reverse()) await c().catch(() => undefined);
    if (!process.env['CHAOS_KEEP_LOGS']) await rm(logDir, { recursive: true, force: true });
    else say(`logs kept in ${logDir}`);
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);

/**
 * Links a chat of `count` more parents needing extension (after the first `skip`), half on each
 * channel, as if they had identified a week ago and not written since.
 */
async function linkQuietChats(admin: pg.Client, validUntil: Date, skip: number, count: number, now: Date): Promise<Set<string>> {
  const parents = (
    await admin.query<{ id: number; phone: string }>(
      `SELECT p.id, p.phone FROM parents p
       WHERE EXISTS (SELECT 1 FROM applications a WHERE a."parentId" = p.id AND a.status = 'ACTIVE' AND a."validUntil" < $1)
         AND (SELECT count(*) FROM parents o WHERE o.phone = p.phone) = 1
       ORDER BY p.id OFFSET $2 LIMIT $3`,
      [validUntil, skip, count],
    )
  ).rows;
  const weekAgo = new Date(now.getTime() - 7 * 86_400_000);
  const keys = new Set<string>();
  for (const [k, p] of parents.entries()) {
    const channel = k % 2 === 0 ? 'TELEGRAM' : 'WHATSAPP';
    const chatId = channel === 'TELEGRAM' ? String(8_500_000 + skip + k) : p.phone.replace(/^\+/, '');
    await admin.query(
      `INSERT INTO chat_links (channel, "chatId", "parentId", locale, "verifiedAt", "lastInboundAt") VALUES ($1::"Channel", $2, $3, 'ru', $4, $4)`,
      [channel, chatId, p.id, weekAgo],
    );
    keys.add(`${channel}:${chatId}`);
  }
  return keys;
}

const REFERRAL_FILE = 'applications-referrals.csv';
const REFERRAL_CHATS = 16;

/**
 * The registry's export of one application needing extension of each parent of `chats` who has at
 * least `minNeeding` of them (a quiet chat keeps one, and its reminder due), now referred to its
 * first choice: the CSV and what each referral's notice must reach.
 */
async function referralExport(
  admin: pg.Client,
  groups: { chats: Set<string>; minNeeding: number }[],
  validUntil: Date,
): Promise<{ csv: string; rows: Referral[] }> {
  const rows = [];
  for (const g of groups) rows.push(...(await referredIn(admin, g.chats, g.minNeeding, validUntil)));
  const header = 'queue_number;parent_iin;child_iin;child_full_name;registered_at;status;valid_until;choices;referral_kindergarten;referral_accept_by';
  const lines = rows.map((r) =>
    [
      r.queueNumber,
      r.parentIin,
      r.childIin,
      r.child,
      r.registered,
      'направлено',
      r.valid,
      `"${r.choices}"`,
      r.choices.split(',')[0]!.trim(),
      '31.12.2030',
    ].join(';'),
  );
  return {
    csv: `${header}\n${lines.join('\n')}\n`,
    rows: rows.map((r) => ({ applicationId: r.id, queueNumber: r.queueNumber, chat: `${r.channel}:${r.chatId}` })),
  };
}

async function referredIn(admin: pg.Client, keys: Set<string>, minNeeding: number, validUntil: Date) {
  const chats = [...keys].map((k) => k.split(':') as [string, string]);
  return (
    await admin.query<{
      id: number;
      queueNumber: number;
      parentIin: string;
      childIin: string;
      child: string;
      registered: string;
      valid: string;
      choices: string;
      channel: string;
      chatId: string;
    }>(
      `SELECT DISTINCT ON (cl."parentId") a.id, a."queueNumber", p.iin AS "parentIin", c.iin AS "childIin", c."fullName" AS child,
              to_char(a."registeredAt" + interval '5 hours', 'YYYY-MM-DD') AS registered, to_char(a."validUntil" + interval '5 hours', 'YYYY-MM-DD') AS valid,
              (SELECT string_agg(k.number::text, ', ' ORDER BY ac.rank) FROM application_choices ac JOIN kindergartens k ON k.id = ac."kindergartenId" WHERE ac."applicationId" = a.id) AS choices,
              cl.channel::text AS channel, cl."chatId"
       FROM chat_links cl JOIN parents p ON p.id = cl."parentId" JOIN applications a ON a."parentId" = p.id JOIN children c ON c.id = a."childId"
       WHERE (cl.channel::text, cl."chatId") IN (SELECT * FROM unnest($1::text[], $2::text[]))
         AND a.status = 'ACTIVE' AND a."validUntil" < $3
         AND (SELECT count(*) FROM applications o WHERE o."parentId" = p.id AND o.status = 'ACTIVE' AND o."validUntil" < $3) >= $4
         AND EXISTS (SELECT 1 FROM application_choices ac WHERE ac."applicationId" = a.id)
       ORDER BY cl."parentId", a.id DESC`,
      [chats.map((c) => c[0]), chats.map((c) => c[1]), validUntil, minNeeding],
    )
  ).rows;
}
