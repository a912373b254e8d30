import { describe, expect, it } from 'vitest';
import type { Channel, OutboxStatus } from '../../src/generated/prisma/client.ts';
import { OPENING_OFFSET, offsetTag } from '../../src/campaign/outbox-kinds.ts';
import { campaignProgress } from '../../src/campaign/progress.ts';
import { TIER_CAP } from '../../src/campaign/outbox/tier-cap.ts';
import { formatProgressTable } from '../../src/campaign/progress-table.ts';
import { runPurge } from '../../src/campaign/purge.ts';
import { submitQuestionnaire } from '../../src/services/questionnaire.ts';
import { restoreApplication } from '../../src/services/restore.ts';
import { TEST_DB_KINDS } from '../../test-support/db.ts';
import { answersFor, createKindergarten } from '../helpers/fixtures.ts';
import { useDatabase } from '../services/use-database.ts';
import { almaty, createCampaignSeason, linkChat, parentWith } from './support.ts';

describe.each(TEST_DB_KINDS)('campaign progress (%s)', (kind) => {
  const prisma = useDatabase(kind);

  it('counts a hand-computed campaign before and after the purge', async () => {
    const db = prisma();
    const season = await createCampaignSeason(db);
    const kg = await createKindergarten(db);
    const extend = (parentId: number, at: string) =>
      submitQuestionnaire(db, { parentId, season, answers: answersFor([kg]), channel: 'TELEGRAM', now: almaty(at) });

    const p1 = await parentWith(db, { needing: 2 });
    const p1tg = await linkChat(db, p1.parent.id, { channel: 'TELEGRAM' });
    const p1wa = await linkChat(db, p1.parent.id, { channel: 'WHATSAPP' });
    const p2 = await parentWith(db, { needing: 1 });
    const p2tg = await linkChat(db, p2.parent.id, { channel: 'TELEGRAM' });
    const p3 = await parentWith(db, { needing: 1 });
    const p3tg = await linkChat(db, p3.parent.id, { channel: 'TELEGRAM' });
    const p4 = await parentWith(db, { needing: 1 });
    const p4wa = await linkChat(db, p4.parent.id, { channel: 'WHATSAPP', unreachableAt: almaty('2026-12-01 10:00') });
    const p5 = await parentWith(db, { needing: 1 }); // never linked

    type R = {
      chat: { channel: Channel; chatId: string; parentId: number };
      offset: number;
      status: OutboxStatus;
      sentAt?: string;
      next?: string;
      error?: string;
    };
    const rows: R[] = [
      { chat: p3tg, offset: OPENING_OFFSET, status: 'SENT', sentAt: '2026-10-01 10:05' },
      { chat: p1tg, offset: OPENING_OFFSET, status: 'SENT', sentAt: '2026-10-01 10:05' },
      { chat: p1tg, offset: 30, status: 'SENT', sentAt: '2026-11-25 09:01' },
      { chat: p1wa, offset: 30, status: 'SENT', sentAt: '2026-11-25 09:02' },
      { chat: p1tg, offset: 14, status: 'CANCELLED' },
      { chat: p2tg, offset: OPENING_OFFSET, status: 'SENT', sentAt: '2026-10-01 10:06' },
      { chat: p2tg, offset: 30, status: 'SENT', sentAt: '2026-11-25 09:03' },
      { chat: p2tg, offset: 14, status: 'FAILED' },
      // held back by the WhatsApp tier (the dispatcher marks it so), scheduled for tomorrow
      { chat: p4wa, offset: 14, status: 'PENDING', next: '2026-12-12 09:00', error: TIER_CAP },
    ];
    await db.outbox.createMany({
      data: rows.map((r) => ({
        dedupeKey: `reminder:${season.id}:${offsetTag(r.offset)}:${r.chat.channel}:${r.chat.chatId}`,
        channel: r.chat.channel,
        chatId: r.chat.chatId,
        parentId: r.chat.parentId,
        kind: 'REMINDER',
        seasonId: season.id,
        offsetDays: r.offset,
        payload: { offsetDays: r.offset },
        status: r.status,
        sentAt: r.sentAt ? almaty(r.sentAt) : null,
        nextAttemptAt: almaty(r.next ?? '2026-10-01 10:00'),
        error: r.error ?? null,
      })),
    });
    await extend(p3.parent.id, '2026-10-01 10:03'); // before any reminder reached p3
    await extend(p1.parent.id, '2026-11-26 18:00'); // after reminders

    const now = almaty('2026-12-11 12:00');
    const before = await campaignProgress(db, season, now);
    expect(before).toMatchObject({
      applicationsNeedingExtension: 3,
      parentsNeedingExtension: 3,
      parentsNeedingExtensionLinked: 1,
      parentsExtended: 2,
      applicationsExtended: 3,
      linkedParents: { total: 4, TELEGRAM: 3, WHATSAPP: 2 },
      reminders: [
        { offsetDays: OPENING_OFFSET, planned: 3, parentsReminded: 3, messagesSent: 3, failed: 0, pending: 0 },
        { offsetDays: 30, planned: 3, parentsReminded: 2, messagesSent: 3, failed: 0, pending: 0 },
        { offsetDays: 14, planned: 3, parentsReminded: 0, messagesSent: 0, failed: 1, pending: 1 },
      ],
      extendedAfterReminder: 1,
      unreachableChats: 1,
      outbox: { pending: 1, sending: 0, sent: 6, failed: 1, cancelled: 1 },
      delayedByTier: { rows: 1, parents: 1 },
      stopListNotices: { planned: 0, sent: 0 },
      stopListedByPurge: 0,
      purgeRuns: 0,
      restored: 0,
    });
    const table = formatProgressTable(before);
    expect(table).toMatch(/Parents needing extension \/ Родителей к продлению +3\n/);
    expect(table).toMatch(/Reminded: 30 days before \/ за 30 дн\. +2 parents, 3 sent, 0 pending/);
    expect(table).toMatch(/Delayed by WhatsApp tier .* +1 parents \(1 messages\)/);
    // once tomorrow comes the row is no longer "delayed"
    expect((await campaignProgress(db, season, almaty('2026-12-12 09:00'))).delayedByTier).toEqual({ rows: 0, parents: 0 });

    const purge = await runPurge(db, { season, now: season.deadline });
    expect(purge).toMatchObject({ count: 3, notices: 1 }); // p2, p4, p5 lapse; only p2's chat is reachable
    const restoreAt = almaty('2026-12-27 10:00');
    await extend(p5.parent.id, '2026-12-27 09:55');
    const restored = await restoreApplication(
      db,
      { windowDays: null, maxTimes: null, keepRegistrationDate: true },
      { parentId: p5.parent.id, applicationId: p5.applications[0]!.id, season, channel: 'WHATSAPP', now: restoreAt },
    );
    expect(restored.outcome).toBe('restored');

    const after = await campaignProgress(db, season, restoreAt);
    expect(after).toMatchObject({
      applicationsNeedingExtension: 0,
      parentsNeedingExtension: 0,
      stopListedByPurge: 3,
      purgeRuns: 1,
      restored: 1,
      stopListNotices: { planned: 1, sent: 0 },
      outbox: { pending: 2, failed: 1 },
    });
  });
});
