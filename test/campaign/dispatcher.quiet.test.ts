/**
 * Issue 21: a reminder does not interrupt a parent using the bot. The real dispatcher and the real
 * notifiers talk HTTP to the loopback fakes of the Bot API and the Graph API; the chat's activity is
 * written through the real conversation store and reachability service, as a parent's messages would.
 */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.ts';
import { REMINDER, STOPLIST_NOTICE } from '../../src/campaign/outbox-kinds.ts';
import { planReminders } from '../../src/campaign/planner.ts';
import { HELD, type Dispatcher } from '../../src/campaign/outbox/dispatcher.ts';
import { SUPERSEDED } from '../../src/campaign/outbox/row-context.ts';
import type { ConversationState } from '../../src/conversation/core/state.ts';
import { loadConversation, saveConversation } from '../../src/conversation/runtime/store.ts';
import { recordInboundActivity } from '../../src/services/reachability.ts';
import { submitQuestionnaire } from '../../src/services/questionnaire.ts';
import { TEST_DB_KINDS } from '../../test-support/db.ts';
import { answersFor, createKindergarten } from '../helpers/fixtures.ts';
import { useDispatchDatabase, useFakePlatforms } from './fixtures/dispatch-test.ts';
import { almaty, createCampaignSeason, linkChat, parentWith, SETTINGS } from './support.ts';
import { makeDispatcher, telegramSender, whatsappSender } from '../../test-support/dispatch-harness.ts';

const NOW = almaty('2026-12-20 12:00');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const fakes = useFakePlatforms();

let chatSeq = 0;

describe.each(TEST_DB_KINDS)('reminders wait while the chat is busy (%s)', (kind) => {
  const { prisma, clock } = useDispatchDatabase(kind, NOW);

  describe.each(['TELEGRAM', 'WHATSAPP'] as const)('%s', (channel) => {
    let debug: unknown[] = [];
    async function dispatcher() {
      const logger = createLogger('silent');
      debug = [];
      logger.debug = ((o: unknown) => void debug.push(o)) as typeof logger.debug;
      return makeDispatcher({
        prisma: prisma(),
        dbKind: kind,
        senders: [await telegramSender(fakes.tg.apiRoot), await whatsappSender(fakes.graph.url)],
        settings: { window: SETTINGS.window },
        clock,
        logger,
      });
    }

    /** A parent needing extension with one chat on `channel`, and a season. */
    async function parent() {
      const db = prisma();
      const season = await createCampaignSeason(db);
      const { parent } = await parentWith(db, { needing: 2 });
      const chatId = channel === 'TELEGRAM' ? String(6_000_000 + ++chatSeq) : `7702${String(1_000_000 + ++chatSeq)}`;
      await linkChat(db, parent.id, { channel, chatId });
      return { season, parent, chatId };
    }

    /** The parent wrote at `at` and the conversation moved to `screen`, as the channel's pipeline records it. */
    async function active(chatId: string, at: Date, screen: ConversationState['screen']) {
      const db = prisma();
      await recordInboundActivity(db, channel, chatId, at);
      const { state, version } = await loadConversation(db, channel, chatId);
      expect(await saveConversation(db, channel, chatId, { ...state, locale: 'ru', linked: true, screen }, version, { now: at })).toBe(true);
    }

    async function plan(season: { id: number; validUntil: Date }, offsetDays: number) {
      return planReminders(prisma(), { season, offsetDays, now: clock.now() });
    }

    /** What the platform accepted for the chat. */
    const delivered = (chatId: string): unknown[] =>
      channel === 'TELEGRAM'
        ? fakes.tg.callsOf('sendMessage').filter((c) => c.response.ok && String(c.params.chat_id) === chatId)
        : fakes.graph.accepted(chatId);

    const row = (offsetDays = 7) => prisma().outbox.findFirstOrThrow({ where: { kind: REMINDER, offsetDays } });

    /** A parent active at `at` on `screen`, the 7-day reminder planned now, and a first tick that holds it back. */
    async function heldAfter(at: Date, screen: ConversationState['screen']) {
      const p = await parent();
      await active(p.chatId, at, screen);
      await plan(p.season, 7);
      const d = await dispatcher();
      expect(await d.tick()).toMatchObject({ sent: 0, deferred: 1 });
      return { ...p, d };
    }

    /** One tick at each of these Almaty times; the stats of the last. */
    async function ticksAt(d: Dispatcher, ...times: string[]) {
      let stats: Awaited<ReturnType<Dispatcher['tick']>> | undefined;
      for (const at of times) {
        clock.set(almaty(at));
        stats = await d.tick();
      }
      return stats;
    }

    const minuteAgo = new Date(NOW.getTime() - MINUTE);

    it('in the questionnaire a minute ago: nothing now, nor after the quiet hour; sent at the next morning’s opening', async () => {
      const { chatId, d } = await heldAfter(minuteAgo, 'q2');
      expect(await row()).toMatchObject({ status: 'PENDING', attempts: 0, error: HELD.busy, nextAttemptAt: almaty('2026-12-21 09:00') });
      // Counted, without saying which chat.
      expect(debug).toContainEqual({ channel, busy: 1, night: 0 });
      expect(JSON.stringify(debug)).not.toContain(chatId);
      await ticksAt(d, '2026-12-20 13:30', '2026-12-20 21:00', '2026-12-21 08:59:59');
      expect(delivered(chatId)).toEqual([]);
      expect(await ticksAt(d, '2026-12-21 09:00')).toMatchObject({ sent: 1, deferred: 0 });
      expect(delivered(chatId)).toHaveLength(1);
      expect(await row()).toMatchObject({ status: 'SENT', attempts: 1, error: null, sentAt: almaty('2026-12-21 09:00') });
    });

    it('on the menu a minute ago: sent once the quiet hour is over, the same day', async () => {
      const { chatId, d } = await heldAfter(minuteAgo, 'menu');
      expect((await row()).nextAttemptAt).toEqual(almaty('2026-12-20 12:59'));
      expect((await ticksAt(d, '2026-12-20 12:58:59'))!.sent).toBe(0);
      expect((await ticksAt(d, '2026-12-20 12:59'))!.sent).toBe(1);
      expect(delivered(chatId)).toHaveLength(1);
    });

    it('a quiet hour running into the evening: sent at 09:00 the next day, never at night', async () => {
      clock.set(almaty('2026-12-20 19:31'));
      const { chatId, d } = await heldAfter(almaty('2026-12-20 19:30'), 'applications');
      expect((await row()).nextAttemptAt).toEqual(almaty('2026-12-21 09:00'));
      await ticksAt(d, '2026-12-20 20:30', '2026-12-21 03:00');
      expect(delivered(chatId)).toEqual([]);
      expect((await ticksAt(d, '2026-12-21 09:00'))!.sent).toBe(1);
    });

    it('an idle chat whose reminder is claimed after 20:00 waits for the opening too', async () => {
      const { season, chatId } = await parent();
      clock.set(almaty('2026-12-20 19:59'));
      await plan(season, 7);
      const d = await dispatcher();
      expect(await ticksAt(d, '2026-12-20 20:05')).toMatchObject({ sent: 0, deferred: 1 });
      expect(await row()).toMatchObject({ status: 'PENDING', error: HELD.night, nextAttemptAt: almaty('2026-12-21 09:00') });
      expect((await ticksAt(d, '2026-12-21 09:00'))!.sent).toBe(1);
      expect(delivered(chatId)).toHaveLength(1);
    });

    it('a questionnaire abandoned a day ago: reminded at once', async () => {
      const { season, chatId } = await parent();
      await active(chatId, new Date(NOW.getTime() - 24 * HOUR), 'q3');
      await plan(season, 7);
      expect(await (await dispatcher()).tick()).toMatchObject({ sent: 1, deferred: 0 });
      expect(delivered(chatId)).toHaveLength(1);
    });

    it('a parent who finishes the questionnaire meanwhile gets no reminder', async () => {
      const { season, parent: p, chatId, d } = await heldAfter(minuteAgo, 'q6');
      const kg = await createKindergarten(prisma());
      const finished = new Date(NOW.getTime() + 2 * MINUTE);
      await submitQuestionnaire(prisma(), { parentId: p.id, season, answers: answersFor([kg]), channel, now: finished });
      await active(chatId, finished, 'menu');
      expect(await ticksAt(d, '2026-12-21 09:00')).toMatchObject({ sent: 0, cancelled: 1 });
      expect(delivered(chatId)).toEqual([]);
      expect((await row()).status).toBe('CANCELLED');
    });

    it('a held reminder is not sent together with the next offset’s: only the later one goes', async () => {
      const { season, chatId, d } = await heldAfter(minuteAgo, 'summary');
      // Both fall due at the same opening: the held one and the offset planned then.
      clock.set(almaty('2026-12-21 09:00'));
      expect(await plan(season, 3)).toBe(1);
      expect(await d.tick()).toMatchObject({ sent: 1, cancelled: 1 });
      await ticksAt(d, '2026-12-21 10:00');
      expect(delivered(chatId)).toHaveLength(1);
      expect(await row(7)).toMatchObject({ status: 'CANCELLED', error: SUPERSEDED });
      expect(await row(3)).toMatchObject({ status: 'SENT' });
    });

    it('a stop-list notice is not held back by a busy chat', async () => {
      const { parent: p, chatId } = await parent();
      await active(chatId, new Date(NOW.getTime() - MINUTE), 'q1');
      const queueNumbers = (await prisma().application.findMany({ where: { parentId: p.id } })).map((a) => a.queueNumber);
      await prisma().application.updateMany({ where: { parentId: p.id }, data: { status: 'STOP_LISTED', stopListedAt: NOW } });
      await prisma().outbox.create({
        data: {
          dedupeKey: `n-${p.id}`,
          channel,
          chatId,
          parentId: p.id,
          kind: STOPLIST_NOTICE,
          payload: { purgeRunId: 1, queueNumbers, stopListedAt: NOW.toISOString() },
          nextAttemptAt: NOW,
        },
      });
      expect(await (await dispatcher()).tick()).toMatchObject({ sent: 1, deferred: 0 });
      expect(delivered(chatId)).toHaveLength(1);
    });
  });
});
