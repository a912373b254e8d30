/**
 * GET /metrics after a real Telegram conversation through the webhook against the loopback fake
 * Bot API: the counters moved by exactly what happened (updates received, processed, a duplicate,
 * a 429 retried, replies sent), the database's figures (identification locks, the outbox backlog
 * and the season's stop-list after a purge) are read at the scrape, the dispatcher's send of the
 * stop-list notice is counted against the configured cap, the endpoint asks for its
 * token, and promtool accepts the scrape.
 */
import { describe, expect, it } from 'vitest';
import { ticksUntilSent } from '../waits.ts';
import { createOutboxDispatcher } from '../../bots/outbox.ts';
import { runPurge } from '../../src/campaign/purge.ts';
import { retryAfter } from '../../test-support/fakes/telegram-api.ts';
import { TEST_DB_KINDS } from '../../test-support/db.ts';
import { parentUser, seedWorld, useBot, useSuite } from '../telegram/harness.ts';
import { hasPromtool, parseScrape, promtool, sumOf, seriesValue, type Series } from './scrape.ts';

const TOKEN = 'metrics-token-0123456789';
const TG = { channel: 'TELEGRAM' };

describe.each(TEST_DB_KINDS)('metrics after a Telegram conversation (%s)', (kind) => {
  // The core knows Telegram is on (its send cap, the zero series); the channel and the dispatcher of
  // each test talk to that test's fake. Sends at any hour: the test may run at night in Almaty.
  const suite = useSuite(kind, { METRICS_TOKEN: TOKEN, IIN_MAX_ATTEMPTS: '2', TELEGRAM_BOT_TOKEN: '1:core-token', REMINDER_WINDOW: '00:00-23:59' });
  const startBot = useBot(suite);

  const scrape = async (): Promise<{ text: string; series: Series[] }> => {
    const res = await fetch(`http://127.0.0.1:${suite.port()}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    return { text, series: parseScrape(text) };
  };

  it('asks for the bearer token when METRICS_TOKEN is set', async () => {
    const url = `http://127.0.0.1:${suite.port()}/metrics`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
  });

  it('counts a conversation: updates, a duplicate, a 429 retried, replies, statements, locks, the outbox and the purge', { timeout: 60_000 }, async () => {
    const w = await seedWorld(suite.core());
    const bot = await startBot('webhook');
    const before = (await scrape()).series;
    // Configured channels have their series from the start, at 0.
    expect(before.find((x) => x.name === 'kq_updates_failed_total' && x.labels['channel'] === 'TELEGRAM')?.value).toBe(0);
    expect(seriesValue(before, 'kq_outbox_rate_limit_per_second', TG)).toBe(25);
    const delta = (name: string, labels: Record<string, string> = {}) => sumOf(after, name, labels) - sumOf(before, name, labels);
    let after: Series[] = before;

    // A parent identifies: 4 updates, one of them answered after a 429 and a retry.
    const p = bot.parent(parentUser(7_301, 'ru'), 'ru');
    await p.start();
    await p.pressKey('language.ru');
    bot.fake.failNext('sendMessage', retryAfter(1));
    await p.contact(w.parent.phone.slice(1));
    const iin = await p.text(w.parent.iin);
    // Telegram delivers the last update again: recognised, skipped.
    expect(await bot.fake.deliver(iin)).toBe(200);
    await bot.fake.waitFor(() => (bot.outcomes.get(iin.update_id)?.length ?? 0) === 2);

    // Another chat uses up its two IIN attempts: locked.
    const q = bot.parent(parentUser(7_302, 'ru'), 'ru');
    await q.start();
    await q.pressKey('language.ru');
    await q.contact(w.other.phone.slice(1));
    await q.text(w.parent.iin);
    await q.text(w.parent.iin);

    after = (await scrape()).series;
    expect(delta('kq_updates_received_total', TG)).toBe(10);
    expect(delta('kq_updates_processed_total', TG)).toBe(9);
    expect(delta('kq_updates_duplicate_total', TG)).toBe(1);
    expect(delta('kq_updates_failed_total', TG)).toBe(0);
    expect(delta('kq_update_handling_seconds_count', TG)).toBe(9);
    expect(delta('kq_update_handling_seconds_sum', TG)).toBeGreaterThan(0);

    const sends = bot.fake.callsOf('sendMessage');
    expect(sends.filter((c) => !c.response.ok)).toHaveLength(1);
    expect(delta('kq_platform_api_requests_total', { ...TG, method: 'sendMessage', outcome: 'rate_limited' })).toBe(1);
    expect(delta('kq_platform_api_requests_total', { ...TG, method: 'sendMessage', outcome: 'ok' })).toBe(sends.length - 1);
    expect(delta('kq_platform_api_retries_total', { ...TG, method: 'sendMessage' })).toBe(1);

    expect(delta('kq_db_statement_seconds_count', { database: kind })).toBeGreaterThanOrEqual(20);
    expect(seriesValue(after, 'kq_identification_locks', { by: 'chat' })).toBe(1);
    expect(seriesValue(after, 'kq_season_deadline_timestamp_seconds', { season: w.season.code })).toBe(w.season.deadline.getTime() / 1000);
    expect(seriesValue(after, 'kq_season_applications', { season: w.season.code, result: 'stop_listed' })).toBe(0);
    expect(sumOf(after, 'kq_outbox_pending')).toBe(0);

    // The purge: the parent's two applications go to the stop-list, one notice waits for the linked chat.
    const purged = await runPurge(suite.core().db.prisma, { season: w.season, now: new Date(), force: true });
    expect(purged.count).toBe(2);
    after = (await scrape()).series;
    expect(seriesValue(after, 'kq_season_applications', { season: w.season.code, result: 'stop_listed' })).toBe(2);
    expect(seriesValue(after, 'kq_outbox_pending', { kind: 'STOPLIST_NOTICE', channel: 'TELEGRAM' })).toBe(1);
    expect(seriesValue(after, 'kq_outbox_oldest_due_seconds', { kind: 'STOPLIST_NOTICE', channel: 'TELEGRAM' })).toBeGreaterThanOrEqual(0);

    // The dispatcher sends the notice: one campaign message sent, one more sendMessage, the backlog empty.
    const core = suite.core();
    const outbox = createOutboxDispatcher({
      ...core,
      config: { ...core.config, telegram: { ...core.config.telegram!, token: bot.fake.token, apiRoot: bot.fake.apiRoot } },
    })!;
    try {
      // A first tick may give the row back for a moment (its send slot or the chat's gap since its last message).
      expect(await ticksUntilSent(outbox)).toBe(1);
    } finally {
      await outbox.stop();
    }
    const sentBefore = after;
    after = (await scrape()).series;
    expect(seriesValue(after, 'kq_outbox_sent_total', { ...TG, kind: 'STOPLIST_NOTICE' })).toBe(1);
    expect(
      sumOf(after, 'kq_platform_api_requests_total', { ...TG, method: 'sendMessage', outcome: 'ok' }) -
        sumOf(sentBefore, 'kq_platform_api_requests_total', { ...TG, method: 'sendMessage', outcome: 'ok' }),
    ).toBe(1);
    expect(sumOf(after, 'kq_outbox_pending')).toBe(0);
  });

  it.runIf(hasPromtool())('passes promtool check metrics', async () => {
    const { text, series } = await scrape();
    expect(seriesValue(series, 'kq_ready')).toBe(1);
    expect(seriesValue(series, 'kq_draining')).toBe(0);
    expect(series.some((s) => s.name === 'process_cpu_user_seconds_total')).toBe(true);
    const r = promtool(['check', 'metrics'], text);
    expect(r.output).toBe('');
    expect(r.status).toBe(0);
  });
});
