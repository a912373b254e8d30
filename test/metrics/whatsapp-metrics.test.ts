/**
 * GET /metrics after a WhatsApp conversation through the signed webhook against the loopback fake
 * Graph API: messages received and processed, a redelivery skipped, a throughput error (130429)
 * retried, every accepted send counted; the WhatsApp tier's limit as configured.
 */
import { describe, expect, it } from 'vitest';
import { delivery, wa } from '../../test-support/fakes/whatsapp-webhook.ts';
import { TEST_DB_KINDS } from '../../test-support/db.ts';
import { family, identify, NUMBER, useWhatsApp } from '../whatsapp/harness.ts';
import { parseScrape, sumOf, seriesValue, type Series } from './scrape.ts';

const WA = { channel: 'WHATSAPP' };

describe.each(TEST_DB_KINDS)('metrics after a WhatsApp conversation (%s)', (kind) => {
  const h = useWhatsApp(kind, { WHATSAPP_TIER: '1000' });

  const scrape = async (): Promise<Series[]> => {
    // No METRICS_TOKEN: the endpoint is open.
    const res = await fetch(`${h.url()}/metrics`);
    expect(res.status).toBe(200);
    return parseScrape(await res.text());
  };

  it('counts messages, a redelivery, a retried throughput error and the sends', { timeout: 60_000 }, async () => {
    const f = await family(h.prisma(), { locale: null });
    const u = h.user(f.waId);
    const before = await scrape();

    h.fake.fail({ code: 130429 });
    await identify(u, f, 'ru');
    const again = delivery({ number: NUMBER, messages: [wa.text(f.waId, 'меню', { id: 'wamid.metrics-dup' })] });
    expect((await h.post(again)).status).toBe(200);
    expect((await h.post(again)).status).toBe(200);

    const after = await scrape();
    const delta = (name: string, labels: Record<string, string> = {}) => sumOf(after, name, labels) - sumOf(before, name, labels);
    expect(delta('kq_updates_received_total', WA)).toBe(5);
    expect(delta('kq_updates_processed_total', WA)).toBe(4);
    expect(delta('kq_updates_duplicate_total', WA)).toBe(1);
    expect(delta('kq_updates_failed_total', WA)).toBe(0);
    expect(delta('kq_update_handling_seconds_count', WA)).toBe(4);

    expect(delta('kq_platform_api_requests_total', { ...WA, outcome: 'rate_limited' })).toBe(1);
    expect(delta('kq_platform_api_retries_total', WA)).toBe(1);
    expect(delta('kq_platform_api_requests_total', { ...WA, outcome: 'ok' })).toBe(h.fake.accepted(f.waId).length);
    expect(seriesValue(after, 'kq_whatsapp_tier_limit')).toBe(1000);
    expect(seriesValue(after, 'kq_whatsapp_tier_used')).toBe(0);
  });
});
