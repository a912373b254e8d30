/**
 * A reminder's delivery status and its send's result commute: the real dispatcher sends through
 * the fake Graph API, and the status comes back as a signed webhook to the real channel — after
 * the dispatcher recorded SENT, or (as WhatsApp does with a fast 131047) before the fake even
 * answers the send. Either way the status lands on the row; a 131047 resends the template once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyEarlyStatuses } from '../../src/campaign/outbox/delivery-status.ts';
import { planReminders } from '../../src/campaign/planner.ts';
import { applyStatus } from '../../bots/whatsapp/statuses.ts';
import { makeDispatcher, whatsappSender } from '../../test-support/dispatch-harness.ts';
import type { GraphCall } from '../../test-support/fakes/graph-api.ts';
import { delivery, waStatus, type StatusInput } from '../../test-support/fakes/whatsapp-webhook.ts';
import { TEST_DB_KINDS } from '../../test-support/db.ts';
import { family, NUMBER, SEASON, TOKEN, useWhatsApp } from './harness.ts';

const HOUR = 3_600_000;
const WINDOW_CLOSED = { code: 131047, title: 'Re-engagement message', details: 'Message failed to send because more than 24 hours have passed' };

describe.each(TEST_DB_KINDS)('WhatsApp statuses and send results commute (%s)', (kind) => {
  const h = useWhatsApp(kind);

  beforeEach(async () => {
    await h.prisma().$executeRawUnsafe('DELETE FROM rate_limit_buckets');
  });
  afterEach(() => {
    expect(h.fake.rejected().map((c) => c.rejected)).toEqual([]);
  });

  /** A parent whose chat was active an hour ago (a free-form reminder may go), with a reminder planned. */
  async function plannedReminder() {
    const db = h.prisma();
    const f = await family(db);
    await db.chatLink.create({
      data: { channel: 'WHATSAPP', chatId: f.waId, parentId: f.parentId, locale: 'ru', lastInboundAt: new Date(h.clock.now().getTime() - HOUR) },
    });
    const season = await db.season.findFirstOrThrow({ where: { code: SEASON.code } });
    expect(await planReminders(db, { season, offsetDays: 30, now: h.clock.now() })).toBe(1);
    const dispatcher = makeDispatcher({
      prisma: db,
      dbKind: kind,
      senders: [await whatsappSender(h.fake.url, { token: TOKEN, phoneNumberId: NUMBER.phoneNumberId, version: 'v23.0' })],
      clock: h.clock,
    });
    return { f, dispatcher };
  }

  /** Status webhooks as Meta posts them, stamped with the clock's time. */
  const postStatuses = (...statuses: StatusInput[]) =>
    h.post(
      delivery({
        number: NUMBER,
        statuses: statuses.map((s) => ({ ...waStatus(s), timestamp: String(Math.floor(h.clock.now().getTime() / 1000)) })),
      }),
    );
  const windowClosed = (call: GraphCall, recipient: string): StatusInput => ({
    messageId: call.messageId!,
    status: 'failed',
    recipient,
    errors: [WINDOW_CLOSED],
  });
  const outbox = () => h.prisma().outbox.findFirstOrThrow();
  const sentTypes = () => h.fake.calls.map((c) => c.body.type);

  it('131047 after the send was recorded: requeued as the template and sent once', async () => {
    const { f, dispatcher } = await plannedReminder();
    expect((await dispatcher.tick()).sent).toBe(1);
    expect(await outbox()).toMatchObject({ status: 'SENT', viaTemplate: false });
    await postStatuses(windowClosed(h.fake.calls[0]!, f.waId));
    expect(await outbox()).toMatchObject({ status: 'PENDING', viaTemplate: true, externalId: null });
    await dispatcher.tick();
    await dispatcher.tick();
    expect(sentTypes()).toEqual(['interactive', 'template']);
    expect(await outbox()).toMatchObject({ status: 'SENT', viaTemplate: true, attempts: 2, externalId: h.fake.calls[1]!.messageId });
  });

  it('131047 before the send was recorded: kept, applied when SENT lands, the template sent exactly once', async () => {
    const { f, dispatcher } = await plannedReminder();
    let during: { row: unknown; kept: number } | null = null;
    h.fake.beforeAnswer = async (call) => {
      h.fake.beforeAnswer = null;
      // The status webhook is processed in full while the dispatcher still waits for the send's answer.
      await postStatuses(windowClosed(call, f.waId));
      during = { row: await outbox(), kept: await h.prisma().earlyDeliveryStatus.count() };
    };
    await dispatcher.tick();
    // The SENT result found the status waiting for it: the row goes again, as the template.
    expect(await outbox()).toMatchObject({ status: 'PENDING', viaTemplate: true, externalId: null, sentAt: null });
    expect((await outbox()).error).toContain('131047');
    await dispatcher.tick();
    await dispatcher.tick();
    expect(sentTypes()).toEqual(['interactive', 'template']);
    expect(during).toMatchObject({ row: { status: 'SENDING', externalId: null }, kept: 1 });
    expect(await h.prisma().earlyDeliveryStatus.count()).toBe(0);
    const row = await outbox();
    expect(row).toMatchObject({ status: 'SENT', viaTemplate: true, attempts: 2, externalId: h.fake.calls[1]!.messageId });

    // Applied again — a redelivery under another id, a second recorder, the sweep: nothing more goes.
    const first = h.fake.calls[0]!.messageId!;
    const again = await applyStatus(h.prisma(), { id: first, status: 'failed', recipientId: f.waId, errors: [WINDOW_CLOSED] }, h.clock.now());
    expect(again).toMatchObject({ updated: 0, kept: false });
    expect(await applyEarlyStatuses(h.prisma(), [first], h.clock.now())).toBe(0);
    await dispatcher.tick();
    expect(sentTypes()).toEqual(['interactive', 'template']);
    expect(await outbox()).toEqual(row);
    const link = await h.prisma().chatLink.findFirstOrThrow({ where: { chatId: f.waId } });
    expect(link.unreachableAt).toBeNull();
  });

  it('delivered and read before the send was recorded: on the row once SENT lands', async () => {
    const { f, dispatcher } = await plannedReminder();
    h.fake.beforeAnswer = async (call) => {
      h.fake.beforeAnswer = null;
      await postStatuses(
        { messageId: call.messageId!, status: 'delivered', recipient: f.waId },
        { messageId: call.messageId!, status: 'read', recipient: f.waId },
      );
    };
    expect((await dispatcher.tick()).sent).toBe(1);
    expect(await outbox()).toMatchObject({ status: 'SENT', viaTemplate: false, delivery: 'read', externalId: h.fake.calls[0]!.messageId });
    expect(await h.prisma().earlyDeliveryStatus.count()).toBe(0);
    // A late "sent" never moves it back.
    await postStatuses({ messageId: h.fake.calls[0]!.messageId!, status: 'sent', recipient: f.waId });
    expect((await outbox()).delivery).toBe('read');
    await dispatcher.tick();
    expect(sentTypes()).toEqual(['interactive']);
  });

  it('statuses of conversation replies (no outbox message) are not kept', async () => {
    const { f } = await plannedReminder();
    await postStatuses({ messageId: 'wamid.reply1', status: 'delivered', recipient: f.waId }, { messageId: 'wamid.reply1', status: 'read', recipient: f.waId });
    expect(await h.prisma().earlyDeliveryStatus.count()).toBe(0);
    expect(await outbox()).toMatchObject({ status: 'PENDING', delivery: null });
  });
});
