import { describe, expect, it } from 'vitest';
import { markSentMany, SentRecorder } from '../../src/campaign/outbox/results.ts';
import { claimDue } from '../../src/campaign/outbox/claim.ts';
import { TEST_DB_KINDS } from '../../test-support/db.ts';
import { useTestDatabase } from '../services/use-database.ts';

const AT = new Date('2026-12-20T07:00:00.123Z');
let seq = 0;

describe.each(TEST_DB_KINDS)('outbox results written together (%s)', (kind) => {
  const database = useTestDatabase(kind);
  const prisma = () => database().prisma;

  async function row(status: 'PENDING' | 'SENDING', claimedBy: string | null, chatId = `r-${process.pid}-${++seq}`) {
    return prisma().outbox.create({
      data: { dedupeKey: `results-${process.pid}-${++seq}`, channel: 'TELEGRAM', chatId, kind: 'REMINDER', payload: {}, status, claimedBy, nextAttemptAt: AT },
    });
  }

  it('SENT results of several sends land in one statement, each with its own time and id, only on this instance’s claims', async () => {
    const mine = [await row('SENDING', 'me'), await row('SENDING', 'me'), await row('SENDING', 'me')];
    const theirs = await row('SENDING', 'other');
    const recorder = new SentRecorder(prisma(), 'me', { delayMs: 5 });
    await Promise.all([
      ...mine.map((r, i) => recorder.record(r.id, { externalId: `m${i}`, viaTemplate: i === 2, now: new Date(AT.getTime() + i) })),
      // Another instance took this row over (its lease ran out): our late result must not overwrite its work.
      recorder.record(theirs.id, { externalId: 'late', viaTemplate: false, now: AT }),
    ]);
    // `record` resolved: the results are committed.
    const rows = await prisma().outbox.findMany({ where: { id: { in: [...mine, theirs].map((r) => r.id) } }, orderBy: { id: 'asc' } });
    expect(rows.slice(0, 3).map((r) => [r.status, r.externalId, r.viaTemplate, r.claimedBy, r.sentAt?.getTime()])).toEqual([
      ['SENT', 'm0', false, null, AT.getTime()],
      ['SENT', 'm1', false, null, AT.getTime() + 1],
      ['SENT', 'm2', true, null, AT.getTime() + 2],
    ]);
    expect(rows[3]).toMatchObject({ status: 'SENDING', claimedBy: 'other', externalId: null, sentAt: null });
  });

  it('a failed write rejects every waiting send (each lane logs it; the rows stay SENDING for the lease)', async () => {
    const r = await row('SENDING', 'me');
    const broken = { $executeRaw: () => Promise.reject(new Error('connection lost')) } as unknown as Parameters<typeof markSentMany>[0];
    const recorder = new SentRecorder(broken, 'me', { delayMs: 1 });
    await expect(recorder.record(r.id, { externalId: 'x', viaTemplate: false, now: AT })).rejects.toThrow('connection lost');
    expect((await prisma().outbox.findUniqueOrThrow({ where: { id: r.id } })).status).toBe('SENDING');
  });

  it('the claim skips a recipient with a message being sent or sent within the gap, and takes the others', async () => {
    await prisma().$executeRawUnsafe(`UPDATE outbox SET status = 'CANCELLED' WHERE status IN ('PENDING', 'SENDING')`);
    const busy = `busy-${++seq}`;
    const recent = `recent-${++seq}`;
    const earlier = `earlier-${++seq}`;
    await row('SENDING', 'other', busy);
    const sent = await row('SENDING', 'me', recent);
    await markSentMany(prisma(), 'me', [{ id: sent.id, externalId: '1', viaTemplate: false, now: new Date(AT.getTime() - 500) }]);
    const old = await row('SENDING', 'me', earlier);
    await markSentMany(prisma(), 'me', [{ id: old.id, externalId: '2', viaTemplate: false, now: new Date(AT.getTime() - 5_000) }]);
    const waiting = [await row('PENDING', null, busy), await row('PENDING', null, recent), await row('PENDING', null, earlier), await row('PENDING', null)];
    const claimed = await claimDue(prisma(), { channel: 'TELEGRAM', limit: 10, now: new Date(AT.getTime() + 1), instanceId: 'me', recipientGapMs: 1_000 });
    expect(claimed.map((c) => c.id).sort()).toEqual([waiting[2]!.id, waiting[3]!.id].sort());
  });
});
