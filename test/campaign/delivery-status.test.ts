/**
 * Delivery statuses that overtake their send's result, statement by statement: each interleaving
 * of the status handler (apply → keep → apply again) with the sent recorder (SENT → apply kept)
 * ends with the status applied once; the sweep catches a recorder that died between its two.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { untilLockWait } from '../waits.ts';
import {
  applyEarlyStatuses,
  EARLY_STATUS_RETENTION_MS,
  recordDeliveryStatus,
  settleEarlyStatuses,
  type DeliveryStatus,
} from '../../src/campaign/outbox/delivery-status.ts';
import { markSentMany, SentRecorder } from '../../src/campaign/outbox/results.ts';
import type { Channel } from '../../src/generated/prisma/enums.ts';
import type { Db } from '../../src/services/db.ts';
import { TEST_DB_KINDS } from '../../test-support/db.ts';
import { useTestDatabase } from '../services/use-database.ts';

const AT = new Date('2026-12-20T07:00:00.000Z');
let seq = 0;
const chat = () => `7701${String(2_000_000 + ++seq)}`;

const windowClosed = (externalId: string): DeliveryStatus => ({
  externalId,
  status: 'failed',
  resendAsTemplate: true,
  error: '131047: Re-engagement message',
  at: AT,
});
const delivered = (externalId: string): DeliveryStatus => ({ externalId, status: 'delivered', resendAsTemplate: false, error: null, at: AT });

/** `db` with a hook run before each raw statement whose SQL contains `marker`: a statement of another writer slipped in. */
function before(db: Db, marker: string, slipIn: () => Promise<unknown>): Db {
  return new Proxy(db, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      if (prop !== '$executeRaw' && prop !== '$queryRaw') return value.bind(target);
      return async (strings: TemplateStringsArray, ...values: unknown[]) => {
        if (strings.join('?').includes(marker)) await slipIn();
        return (value as (s: TemplateStringsArray, ...v: unknown[]) => Promise<unknown>).call(target, strings, ...values);
      };
    },
  });
}

describe.each(TEST_DB_KINDS)('delivery statuses overtaking their send (%s)', (kind) => {
  const database = useTestDatabase(kind);
  const prisma = () => database().prisma;

  /** A row this instance ("me") claimed and is sending. */
  const sending = (chatId = chat(), channel: Channel = 'WHATSAPP') =>
    prisma().outbox.create({
      data: { dedupeKey: `ds-${process.pid}-${++seq}`, channel, chatId, kind: 'REMINDER', payload: {}, status: 'SENDING', claimedBy: 'me', nextAttemptAt: AT },
    });
  const recorder = () => new SentRecorder(prisma(), 'me', { delayMs: 1 });
  const sent = (r: SentRecorder, id: number, externalId: string) => r.record(id, { externalId, viaTemplate: false, now: AT, statusesByWebhook: true });
  const row = (id: number) => prisma().outbox.findUniqueOrThrow({ where: { id } });
  const requeued = { status: 'PENDING', viaTemplate: true, externalId: null, sentAt: null, nextAttemptAt: AT };

  it('the recorder lands second: the status is kept, and applied by the SENT write', async () => {
    const r = await sending();
    expect(await recordDeliveryStatus(prisma(), 'WHATSAPP', r.chatId, windowClosed('wamid.a'), AT)).toEqual({ updated: 0, kept: true });
    await sent(recorder(), r.id, 'wamid.a');
    expect(await row(r.id)).toMatchObject({ ...requeued, error: '131047: Re-engagement message' });
    expect(await prisma().earlyDeliveryStatus.count()).toBe(0);
  });

  it('the recorder slips in between the handler’s first apply and its look: the look sees the id, the second apply takes it', async () => {
    const r = await sending();
    const racing = before(prisma(), 'INSERT INTO early_delivery_statuses', () => sent(recorder(), r.id, 'wamid.b'));
    expect(await recordDeliveryStatus(racing, 'WHATSAPP', r.chatId, windowClosed('wamid.b'), AT)).toEqual({ updated: 1, kept: false });
    expect(await row(r.id)).toMatchObject(requeued);
    expect(await prisma().earlyDeliveryStatus.count()).toBe(0);
  });

  // Only PostgreSQL runs statements at once; the embedded database runs them one after another.
  it.runIf(kind === 'postgres')('the handler lands second: its keeping commits after the recorder looked, and its second apply finds the row', async () => {
    const r = await sending();
    // Holds the key the handler will keep the status under: its statement takes its snapshot, sees
    // the row SENDING, then waits — so it commits after the recorder wrote SENT and looked.
    const blocker = new pg.Client({ connectionString: database().url });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query(`INSERT INTO early_delivery_statuses ("externalId", status) VALUES ('wamid.k', 'failed')`);
      const handler = recordDeliveryStatus(prisma(), 'WHATSAPP', r.chatId, windowClosed('wamid.k'), AT);
      await untilLockWait(blocker, 'the handler never waited for the held key');
      await sent(recorder(), r.id, 'wamid.k');
      // The recorder looked before the status was kept: it applied nothing.
      expect(await row(r.id)).toMatchObject({ status: 'SENT', externalId: 'wamid.k' });
      await blocker.query('ROLLBACK');
      expect(await handler).toEqual({ updated: 1, kept: false });
    } finally {
      await blocker.end();
    }
    expect(await row(r.id)).toMatchObject(requeued);
    expect(await prisma().earlyDeliveryStatus.count()).toBe(0);
  });

  it('both apply (a kept status found by the recorder, the handler again, the sweep): requeued once', async () => {
    const r = await sending();
    await recordDeliveryStatus(prisma(), 'WHATSAPP', r.chatId, windowClosed('wamid.c'), AT);
    // SENT written without its look: as if the recorder stood between its two statements.
    await markSentMany(prisma(), 'me', [{ id: r.id, externalId: 'wamid.c', viaTemplate: false, now: AT }]);
    const counts = await Promise.all([
      applyEarlyStatuses(prisma(), ['wamid.c'], AT),
      applyEarlyStatuses(prisma(), ['wamid.c'], AT),
      recordDeliveryStatus(prisma(), 'WHATSAPP', r.chatId, windowClosed('wamid.c'), AT).then((o) => o.updated),
      settleEarlyStatuses(prisma(), new Date(0), AT).then((o) => o.applied),
    ]);
    expect(counts.reduce((a, b) => a + b)).toBe(1);
    expect(await row(r.id)).toMatchObject({ ...requeued, attempts: 0 });
    expect(await prisma().earlyDeliveryStatus.count()).toBe(0);
  });

  it('an early "delivered" lands with SENT; a template refused for the window stays FAILED', async () => {
    const r = await sending();
    await recordDeliveryStatus(prisma(), 'WHATSAPP', r.chatId, delivered('wamid.d'), AT);
    await sent(recorder(), r.id, 'wamid.d');
    expect(await row(r.id)).toMatchObject({ status: 'SENT', delivery: 'delivered', externalId: 'wamid.d' });

    const t = await sending();
    await recordDeliveryStatus(prisma(), 'WHATSAPP', t.chatId, windowClosed('wamid.t'), AT);
    await recorder().record(t.id, { externalId: 'wamid.t', viaTemplate: true, now: AT, statusesByWebhook: true });
    expect(await row(t.id)).toMatchObject({ status: 'FAILED', delivery: 'failed', viaTemplate: true, error: '131047: Re-engagement message' });
  });

  it('keeps only a status that may belong to an unrecorded send', async () => {
    const keep = (chatId: string | null, id: string) => recordDeliveryStatus(prisma(), 'WHATSAPP', chatId, delivered(id), AT).then((o) => o.kept);
    // A conversation reply's status: no outbox row has its id, no send of that chat is unrecorded.
    expect(await keep(chat(), 'wamid.reply')).toBe(false);
    await sending('77010000001', 'TELEGRAM');
    expect(await keep(null, 'wamid.reply2')).toBe(false);
    const other = await sending();
    expect(await keep(chat(), 'wamid.reply3')).toBe(false);
    expect(await keep(other.chatId, 'wamid.e')).toBe(true);
    // The status did not say who it went to: any unrecorded WhatsApp send may be its.
    expect(await keep(null, 'wamid.f')).toBe(true);
    // Redelivered: still kept, once.
    expect(await keep(other.chatId, 'wamid.e')).toBe(true);
    expect((await prisma().earlyDeliveryStatus.findMany({ orderBy: { externalId: 'asc' } })).map((e) => e.externalId)).toEqual(['wamid.e', 'wamid.f']);
  });

  it('the sweep applies statuses a failed recorder left, and drops those of no row after the retention', async () => {
    const r = await sending();
    await recordDeliveryStatus(prisma(), 'WHATSAPP', r.chatId, windowClosed('wamid.g'), AT);
    await recordDeliveryStatus(prisma(), 'WHATSAPP', r.chatId, delivered('wamid.never'), new Date(AT.getTime() - EARLY_STATUS_RETENTION_MS - 1));
    await recordDeliveryStatus(prisma(), 'WHATSAPP', r.chatId, delivered('wamid.young'), AT);
    await markSentMany(prisma(), 'me', [{ id: r.id, externalId: 'wamid.g', viaTemplate: false, now: AT }]);
    expect(await settleEarlyStatuses(prisma(), new Date(AT.getTime() - EARLY_STATUS_RETENTION_MS), AT)).toEqual({ applied: 1, dropped: 1 });
    expect(await row(r.id)).toMatchObject(requeued);
    expect((await prisma().earlyDeliveryStatus.findMany()).map((e) => e.externalId)).toEqual(['wamid.young']);
  });

  it('the recorder looks for kept statuses only after sends whose platform reports them', async () => {
    let looks = 0;
    const counting = new Proxy(prisma(), {
      get(target, prop) {
        if (prop === 'earlyDeliveryStatus') looks++;
        const value = Reflect.get(target, prop, target) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const r = new SentRecorder(counting, 'me', { delayMs: 1 });
    const tg = await sending(chat(), 'TELEGRAM');
    await r.record(tg.id, { externalId: '42', viaTemplate: false, now: AT });
    expect(looks).toBe(0);
    const wa = await sending();
    await r.record(wa.id, { externalId: 'wamid.h', viaTemplate: false, now: AT, statusesByWebhook: true });
    expect(looks).toBe(1);
  });
});
