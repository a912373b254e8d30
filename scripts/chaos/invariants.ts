/**
 * The end-of-run checks, over the database (after every instance stopped gracefully) and the
 * fakes' records. Each check yields its figures and its violations; the run fails on any violation.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { FakeGraphApi } from '../../test-support/fakes/graph-api.ts';
import type { FakeTelegramApi } from '../../test-support/fakes/telegram-api.ts';
import { isReminderText } from './autopilot.ts';

export interface AppSnapshot {
  id: number;
  parentId: number;
  status: string;
  validUntil: Date;
}

export interface CheckInput {
  url: string;
  seasonId: number;
  seasonValidUntil: Date;
  /** Applications before the run. */
  before: AppSnapshot[];
  /** Highest questionnaire and extension ids before the run (the demo registry has some of its own). */
  baseline: { questionnaire: number; extension: number };
  /** Parent ids whose simulated parent saw the confirmation, by channel. */
  confirmed: { parentId: number; channel: 'TELEGRAM' | 'WHATSAPP' }[];
  /** Update ids the balancer got a 200 for. */
  acknowledged: { TELEGRAM: Set<string>; WHATSAPP: Set<string> };
  telegram: FakeTelegramApi;
  graph: FakeGraphApi;
  /** Chat ids (Telegram) and wa ids (WhatsApp) of each simulated parent → parent id. */
  chats: Map<string, number>;
  /** When each simulated parent's chat first wrote (epoch ms): a reminder after it interrupts them. */
  firstWrote: Map<string, number>;
  /** "CHANNEL:chatId" of the chats linked before the run and quiet since (they get the reminders). */
  quiet: Set<string>;
  /** SIGKILLs of a process whose dispatcher was running. */
  kills: number;
  /** The dispatcher's parallel sends per channel (each can be cut off in flight by a kill). */
  lanes: { TELEGRAM: number; WHATSAPP: number };
  /** The registry file dropped mid-run and the referrals it brings. */
  registry: { dir: string; file: string; referrals: Referral[] };
}

export interface Referral {
  applicationId: number;
  queueNumber: number;
  /** "CHANNEL:chatId" of the parent's one chat. */
  chat: string;
}

export interface Report {
  figures: [string, string | number][];
  violations: string[];
}

export async function checkInvariants(i: CheckInput): Promise<Report> {
  const figures: Report['figures'] = [];
  const violations: string[] = [];
  const db = new pg.Client({ connectionString: i.url });
  await db.connect();
  const q = async <T extends pg.QueryResultRow>(sql: string, params: unknown[] = []) => (await db.query<T>(sql, params)).rows;
  try {
    // ——— questionnaires: exactly once per parent who completed ———
    const perParent = await q<{ parentId: number; n: number }>(
      `SELECT "parentId", count(*)::int AS n FROM questionnaires WHERE "seasonId" = $1 AND id > $2 GROUP BY "parentId"`,
      [i.seasonId, i.baseline.questionnaire],
    );
    const stored = new Map(perParent.map((r) => [r.parentId, r.n]));
    figures.push(['questionnaires confirmed to simulated parents', i.confirmed.length]);
    figures.push(['questionnaires stored during the run', perParent.reduce((s, r) => s + r.n, 0)]);
    for (const r of perParent) if (r.n !== 1) violations.push(`parent ${r.parentId}: ${r.n} questionnaires`);
    const missing = i.confirmed.filter((c) => !stored.has(c.parentId));
    figures.push(['confirmed but not stored', missing.length]);
    for (const m of missing) violations.push(`parent ${m.parentId} (${m.channel}) saw the confirmation but no questionnaire is stored`);
    const simulated = new Set(i.chats.values());
    const strangers = perParent.filter((r) => !simulated.has(r.parentId));
    for (const s of strangers) violations.push(`parent ${s.parentId} has a questionnaire but never chatted`);

    // ——— extensions and application status ———
    const after = new Map((await q<AppSnapshot>(`SELECT id, "parentId", status::text AS status, "validUntil" FROM applications`)).map((a) => [a.id, a]));
    const ext = await q<{ applicationId: number; n: number; foreign: number }>(
      `SELECT e."applicationId", count(*)::int AS n,
              count(*) FILTER (WHERE qn."parentId" IS DISTINCT FROM a."parentId")::int AS foreign
       FROM extensions e JOIN applications a ON a.id = e."applicationId" LEFT JOIN questionnaires qn ON qn.id = e."questionnaireId"
       WHERE e."seasonId" = $1 AND e.kind = 'EXTEND' AND e.id > $2 GROUP BY e."applicationId"`,
      [i.seasonId, i.baseline.extension],
    );
    const extensions = new Map(ext.map((e) => [e.applicationId, e]));
    let extended = 0;
    let unchanged = 0;
    const referred = new Set(i.registry.referrals.map((r) => r.applicationId));
    for (const b of i.before) {
      if (referred.has(b.id)) continue;
      const a = after.get(b.id);
      if (!a) {
        violations.push(`application ${b.id} disappeared`);
        continue;
      }
      const e = extensions.get(b.id);
      const needed = b.status === 'ACTIVE' && b.validUntil.getTime() < i.seasonValidUntil.getTime();
      if (stored.has(b.parentId) && needed) {
        if (e?.n !== 1) violations.push(`application ${b.id}: ${e?.n ?? 0} extensions (expected exactly 1)`);
        if (a.status !== 'ACTIVE' || a.validUntil.getTime() !== i.seasonValidUntil.getTime()) {
          violations.push(`application ${b.id}: ${a.status} valid until ${a.validUntil.toISOString()} after its parent completed`);
        }
        if (e && e.foreign > 0) violations.push(`application ${b.id}: extended by another parent's questionnaire`);
        extended++;
      } else {
        if (e) violations.push(`application ${b.id}: extended (${e.n}) though its parent never completed or it needed nothing`);
        if (a.status !== b.status || a.validUntil.getTime() !== b.validUntil.getTime()) {
          violations.push(`application ${b.id}: changed (${b.status} → ${a.status}) though its parent never completed`);
        } else unchanged++;
      }
    }
    figures.push(['applications extended once (of completed parents)', extended]);
    figures.push(['applications left unchanged', unchanged]);

    // ——— reminders: at most once per offset and chat ———
    const sentRows = await q<{ channel: string; chatId: string; offsets: number; attempts: number }>(
      `SELECT channel::text, "chatId", count(DISTINCT "offsetDays")::int AS offsets, max(attempts)::int AS attempts
       FROM outbox WHERE kind = 'REMINDER' AND status = 'SENT' GROUP BY channel, "chatId"`,
    );
    const outboxByStatus = await q<{ status: string; n: number }>(`SELECT status::text, count(*)::int AS n FROM outbox GROUP BY status ORDER BY status`);
    figures.push(['outbox rows', outboxByStatus.map((r) => `${r.status} ${r.n}`).join(', ') || 'none']);
    const delivered = new Map<string, number>();
    /** The last reminder each chat got (epoch ms). */
    const lastAt = new Map<string, number>();
    const deliver = (key: string, at: number) => {
      delivered.set(key, (delivered.get(key) ?? 0) + 1);
      lastAt.set(key, Math.max(lastAt.get(key) ?? 0, at));
    };
    for (const c of i.telegram.calls) {
      if (c.method === 'sendMessage' && c.response.ok && isReminderText(String(c.params.text))) deliver(`TELEGRAM:${c.params.chat_id}`, c.at);
    }
    for (const c of i.graph.calls) {
      const m = c.body;
      if (c.status !== 200 || !m) continue;
      const body = m.type === 'interactive' ? String(m.interactive?.body?.text ?? '') : m.type === 'text' ? String(m.text?.body ?? '') : '';
      if ((m.type === 'template' && m.template?.name === 'kg_queue_extension_reminder') || isReminderText(body)) deliver(`WHATSAPP:${m.to}`, c.at);
    }
    const sentByChat = new Map(sentRows.map((r) => [`${r.channel}:${r.chatId}`, r]));
    let duplicates = 0;
    let reminders = 0;
    for (const [key, n] of delivered) {
      reminders += n;
      const row = sentByChat.get(key);
      const expected = row?.offsets ?? 0;
      if (n > expected) {
        duplicates += n - expected;
        // A repeat is only explained by a send cut off in flight: its row was claimed again.
        if (row && row.attempts < 2) violations.push(`${key}: ${n} reminders delivered for ${expected} offset(s), but its row was sent on the first attempt`);
      }
    }
    for (const [key, row] of sentByChat) if ((delivered.get(key) ?? 0) < row.offsets) violations.push(`${key}: outbox says SENT, the platform got nothing`);
    const bound = i.kills * (i.lanes.TELEGRAM + i.lanes.WHATSAPP);
    figures.push(['reminders delivered (at the fakes)', reminders]);
    figures.push(['chats reminded', delivered.size]);
    figures.push(['reminder repeats (in flight at a kill)', duplicates]);
    figures.push(['at-least-once bound (kills × lanes)', `${i.kills} × (${i.lanes.TELEGRAM} + ${i.lanes.WHATSAPP}) = ${bound}`]);
    if (duplicates > bound) violations.push(`${duplicates} repeated reminders exceed the at-least-once bound ${bound}`);
    // A parent using the bot is not interrupted by a reminder; the quiet chats all get theirs. A
    // reminder that reached a simulated parent before they first wrote (the campaign's template to
    // the registry phone of a parent with no chat yet) interrupted nothing. Nor did one the
    // dispatcher had claimed (and checked the chat's activity for) before the product recorded the
    // parent's first message: it was on its way when they wrote. What the product must not do is
    // claim a reminder for a chat whose message it had already recorded.
    const claimedAfterWriting = new Set(
      (
        await q<{ channel: string; chatId: string }>(
          `SELECT o.channel::text, o."chatId" FROM outbox o
           WHERE o.kind = 'REMINDER' AND o.status = 'SENT'
             AND o."claimedAt" >= (SELECT min(u."receivedAt") FROM inbound_updates u WHERE u.channel = o.channel AND u."chatId" = o."chatId")
           GROUP BY 1, 2`,
        )
      ).map((r) => `${r.channel}:${r.chatId}`),
    );
    const afterWriting = [...delivered.keys()].filter((key) => i.chats.has(key) && lastAt.get(key)! >= (i.firstWrote.get(key) ?? Infinity));
    const interrupted = afterWriting.filter((key) => claimedAfterWriting.has(key));
    const before = [...delivered.keys()].filter((key) => i.chats.has(key) && !afterWriting.includes(key));
    figures.push(['simulated parents reminded before they first wrote', before.length]);
    figures.push(['… reminders on their way when the parent first wrote (claimed before it)', afterWriting.length - interrupted.length]);
    figures.push(['quiet chats reminded / linked before the run', `${[...i.quiet].filter((key) => delivered.has(key)).length} / ${i.quiet.size}`]);
    for (const key of interrupted.slice(0, 5))
      violations.push(
        `${key}: a reminder reached a parent who was using the bot (${((lastAt.get(key)! - i.firstWrote.get(key)!) / 1000).toFixed(1)} s after they first wrote)`,
      );
    for (const key of [...i.quiet].filter((k) => !delivered.has(k)).slice(0, 5)) violations.push(`${key}: a quiet chat got no reminder`);
    // Reminders held back for a chat in use (the simulated parents') wait until it has been quiet an hour.
    const held = await q<{ channel: string; chatId: string }>(
      `SELECT channel::text, "chatId" FROM outbox WHERE kind = 'REMINDER' AND status = 'PENDING' AND error LIKE 'held:%'`,
    );
    figures.push(['reminders held back for a parent using the bot', held.length]);
    for (const r of held.filter((r) => !i.chats.has(`${r.channel}:${r.chatId}`)).slice(0, 5))
      violations.push(`${r.channel}:${r.chatId}: a reminder held back for a chat nobody used`);
    const open = outboxByStatus.filter((r) => r.status === 'PENDING' || r.status === 'SENDING').reduce((s, r) => s + r.n, 0) - held.length;
    if (open > 0) {
      // What each one waits for, so a failed run says why.
      const rows = await q<{ id: number; kind: string; channel: string; status: string; attempts: number; due: string; error: string | null }>(
        `SELECT id, kind::text, channel::text, status::text, attempts, to_char("nextAttemptAt", 'HH24:MI:SS.MS') AS due, error
         FROM outbox WHERE status IN ('PENDING', 'SENDING') AND coalesce(error, '') NOT LIKE 'held:%' ORDER BY id`,
      );
      const described = rows.map(
        (r) => `#${r.id} ${r.kind} ${r.channel} ${r.status}, ${r.attempts} attempt(s), due ${r.due} UTC${r.error ? `, ${r.error}` : ''}`,
      );
      violations.push(`${open} outbox rows still PENDING or SENDING after the drain: ${described.join('; ')}`);
    }

    // ——— the registry re-imported mid-run: each referral told once per chat, none lost ———
    const done = await readdir(path.join(i.registry.dir, 'done')).catch(() => [] as string[]);
    const failed = await readdir(path.join(i.registry.dir, 'failed')).catch(() => [] as string[]);
    figures.push([
      'registry file imported (done / failed / still waiting)',
      `${done.length} / ${failed.length} / ${(await readdir(i.registry.dir)).filter((f) => f.endsWith('.csv')).length}`,
    ]);
    if (done.length !== 1 || failed.length !== 0)
      violations.push(`the registry file was not imported once: done/ ${done.join(', ')}, failed/ ${failed.join(', ')}`);
    const events = await q<{ applicationId: number; n: number }>(
      `SELECT "applicationId", count(*)::int AS n FROM registry_events WHERE kind = 'REFERRAL_ISSUED' GROUP BY "applicationId"`,
    );
    const eventsOf = new Map(events.map((e) => [e.applicationId, e.n]));
    const notices = await q<{ channel: string; chatId: string; queueNumber: number; status: string; attempts: number }>(
      `SELECT channel::text, "chatId", (payload->>'queueNumber')::int AS "queueNumber", status::text, attempts FROM outbox WHERE kind = 'REGISTRY_REFERRAL_ISSUED'`,
    );
    const referralDelivered = new Map<string, number>();
    const count = (key: string) => referralDelivered.set(key, (referralDelivered.get(key) ?? 0) + 1);
    for (const c of i.telegram.calls) {
      const m = /№ (\d+)/.exec(String(c.params.text ?? ''));
      if (c.method === 'sendMessage' && c.response.ok && m && /🎉/.test(String(c.params.text))) count(`TELEGRAM:${c.params.chat_id}:${m[1]}`);
    }
    for (const m of i.graph.accepted()) {
      if (m.type === 'template' && m.template?.name === 'kg_queue_referral_issued')
        count(`WHATSAPP:${m.to}:${m.template.components?.[0]?.parameters?.[0]?.text}`);
      const body = m.type === 'interactive' ? String(m.interactive?.body?.text ?? '') : '';
      const n = /№ (\d+)/.exec(body);
      if (n && /🎉/.test(body)) count(`WHATSAPP:${m.to}:${n[1]}`);
    }
    let told = 0;
    let repeats = 0;
    for (const r of i.registry.referrals) {
      if (eventsOf.get(r.applicationId) !== 1)
        violations.push(`application ${r.applicationId}: ${eventsOf.get(r.applicationId) ?? 0} referral events (expected 1)`);
      const rows = notices.filter((n) => `${n.channel}:${n.chatId}` === r.chat && n.queueNumber === r.queueNumber);
      if (rows.length !== 1 || rows[0]!.status !== 'SENT')
        violations.push(`${r.chat}: referral ${r.queueNumber} has ${rows.length} outbox row(s), ${rows.map((x) => x.status).join(', ')}`);
      const n = referralDelivered.get(`${r.chat}:${r.queueNumber}`) ?? 0;
      if (n === 0) violations.push(`${r.chat}: referral ${r.queueNumber} never reached the chat (lost)`);
      else told++;
      if (n > 1) {
        repeats += n - 1;
        if ((rows[0]?.attempts ?? 0) < 2) violations.push(`${r.chat}: referral ${r.queueNumber} delivered ${n} times, its row sent on the first attempt`);
      }
    }
    figures.push([
      'referrals imported / told to their chat / repeats (in flight at a kill)',
      `${events.length} / ${told} of ${i.registry.referrals.length} / ${repeats}`,
    ]);
    if (i.registry.referrals.length === 0) violations.push('no referral in the registry file: the run proved nothing about it');
    if (repeats > bound) violations.push(`${repeats} repeated referral notices exceed the at-least-once bound ${bound}`);

    // ——— updates: none lost, none processed twice ———
    const inbound = await q<{ channel: string; externalId: string; processed: boolean }>(
      `SELECT channel::text, "externalId", "processedAt" IS NOT NULL AS processed FROM inbound_updates`,
    );
    const rows = { TELEGRAM: new Map<string, boolean>(), WHATSAPP: new Map<string, boolean>() };
    for (const r of inbound) rows[r.channel as 'TELEGRAM' | 'WHATSAPP']?.set(r.externalId, r.processed);
    for (const channel of ['TELEGRAM', 'WHATSAPP'] as const) {
      const acked = i.acknowledged[channel];
      const lost = [...acked].filter((id) => !rows[channel].has(id));
      const unprocessed = [...rows[channel].values()].filter((p) => !p).length;
      figures.push([`${channel} updates acknowledged / recorded / unprocessed`, `${acked.size} / ${rows[channel].size} / ${unprocessed}`]);
      for (const id of lost.slice(0, 5)) violations.push(`${channel} update ${id} got a 200 but is not in the inbox (lost)`);
      if (lost.length > 5) violations.push(`… ${lost.length - 5} more ${channel} updates lost`);
      // Telegram: an update cut off by a kill waits for the next start after INBOX_STALE_AFTER_MS
      // (2 min, longer than this run); WhatsApp's sweep takes them over within 40 s, and the
      // run waits for it before stopping the instances.
      const allowed = channel === 'TELEGRAM' ? i.kills * 64 : 0;
      if (unprocessed > allowed) violations.push(`${channel}: ${unprocessed} updates never processed (allowed ${allowed})`);
    }
    const answers = new Map<string, number>();
    for (const c of i.telegram.calls) {
      if (c.method === 'answerCallbackQuery') answers.set(String(c.params.callback_query_id), (answers.get(String(c.params.callback_query_id)) ?? 0) + 1);
    }
    const twice = [...answers].filter(([, n]) => n > 1);
    figures.push(['Telegram button presses answered twice (processed twice)', twice.length]);
    for (const [id] of twice.slice(0, 5)) violations.push(`callback query ${id} answered more than once: its update was processed twice`);
  } finally {
    await db.end();
  }
  return { figures, violations };
}
