/**
 * Fuzzing the Telegram channel through its real entry point, POST /webhooks/telegram, against the
 * loopback fake Bot API: two linked parents keep walking their conversations (valid presses, old
 * keyboards, forged buttons naming other parents' applications and kindergartens that do not
 * exist, free text) while strangers and attackers post every update shape, damaged updates and
 * updates without the secret token. After every batch the invariants of ./world.ts hold, every
 * HTTP answer is below 500, and every well-formed update was handled without failing.
 *
 * FUZZ_RUNS (updates; 10 000 when CI=true, the default below otherwise), FUZZ_SEED, FUZZ_DB=embedded|postgres|both (default embedded).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Update } from 'grammy/types';
import { decodeAction, encodeAction } from '../../src/conversation/core/action-codec.ts';
import type { Action } from '../../src/conversation/core/io.ts';
import type { TestUser } from '../../test-support/fakes/telegram-updates.ts';
import { callbackQuery, contactMessage, locationMessage, textMessage, userFor } from '../../test-support/fakes/telegram-updates.ts';
import { parentUser, useBot, useSuite, WEBHOOK_SECRET, type Bot, type TelegramParent } from '../telegram/harness.ts';
import { FUZZ_SEED, fuzzUpdates, mutate } from './arbitraries.ts';
import { fuzzDbKinds, FUZZ_BATCH, runLanes } from './settings.ts';
import { OWN_PHONE, stepArb, type ActorMove, type Content, type Step } from './telegram-updates.ts';
import {
  expectAllStatesValid,
  expectExtensionsConsistent,
  expectLinksOwnChats,
  leaksIn,
  seedFuzzWorld,
  snapshotParents,
  type FuzzWorld,
  type Person,
} from './world.ts';

const UPDATES = fuzzUpdates(3_000);

interface Actor {
  person: Person;
  tg: TelegramParent;
}

/** A record of what one step sent and got: checked after the batch. */
interface Sent {
  label: string;
  status: number;
  /** Well-formed updates must be handled without failing. */
  mustSucceed: number | null;
}

describe.each(fuzzDbKinds())('fuzz: Telegram webhook (%s)', (kind) => {
  const suite = useSuite(kind);
  const startBot = useBot(suite);

  it(`${UPDATES} random and malformed updates: no 5xx, states valid, no chat touches another parent's data`, { timeout: 900_000 }, async () => {
    const prisma = suite.core().db.prisma;
    const world = await seedFuzzWorld(prisma);
    const bot = await startBot('webhook');
    const url = `http://127.0.0.1:${suite.port()}/webhooks/telegram`;
    const actors: Actor[] = world.actors.map((person, i) => ({
      person,
      tg: bot.parent(parentUser(6_600_001 + i, i === 0 ? 'ru' : 'kk'), i === 0 ? 'ru' : 'kk'),
    }));
    for (const a of actors) await identify(a);
    for (const a of actors) expect(a.tg.last().text).toBe(a.tg.t('menu.title'));
    const chatOf = new Map(actors.map((a) => [a.person.parentId, String(a.tg.chatId)]));
    const victims = world.victims.map((v) => v.parentId);
    const before = await snapshotParents(prisma, victims);

    let sentUpdates = 0;
    let checkedCalls = 0;
    let batches = 0;
    const statusCount = new Map<number, number>();

    const post = async (body: string | Buffer, secret: string | null = WEBHOOK_SECRET): Promise<number> => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(secret !== null ? { 'x-telegram-bot-api-secret-token': secret } : {}) },
        body,
      });
      await res.text();
      return res.status;
    };

    const runStep = async (s: Step): Promise<Sent> => {
      sentUpdates++;
      if (typeof s.who === 'number') return actorStep(bot, world, actors[s.who]!, s.move);
      if (s.who === 'stranger') {
        const user = userFor(s.user, s.languageCode ?? undefined);
        const update = bot.fake.stamp(buildUpdate(bot, user, s.content, null));
        const body = s.mutation ? mutate(update, s.mutation) : update;
        const status = await post(JSON.stringify(body));
        return {
          label: `stranger ${s.content.type}${s.mutation ? ' (damaged)' : ''} #${update.update_id} ${JSON.stringify(body).slice(0, 300)}`,
          status,
          mustSucceed: s.mutation ? null : update.update_id,
        };
      }
      const target = s.user < 2 ? actors[s.user]!.tg.user : userFor(8_800_001 + s.user);
      const update = bot.fake.stamp(buildUpdate(bot, target, s.content, s.user < 2 ? actors[s.user]!.person.phone : null));
      const t = s.transport;
      switch (t.type) {
        case 'noSecret':
          return { label: 'no secret', status: expectStatus(await post(JSON.stringify(update), null), 401), mustSucceed: null };
        case 'wrongSecret':
          return { label: 'wrong secret', status: expectStatus(await post(JSON.stringify(update), t.secret), 401), mustSucceed: null };
        case 'notJson':
          return { label: 'not JSON', status: expectStatus(await post(t.body), 400), mustSucceed: null };
        case 'notAnUpdate':
          return { label: 'not an update', status: await post(JSON.stringify(t.body)), mustSucceed: null };
        case 'tooLarge':
          return { label: 'too large', status: expectStatus(await post(Buffer.alloc(t.bytes, 0x61)), 413), mustSucceed: null };
        case 'bigText': {
          const big = bot.fake.stamp(textMessage(userFor(8_800_040), 'Ы'.repeat(t.chars)));
          return { label: 'big text', status: expectStatus(await post(JSON.stringify(big)), 200), mustSucceed: big.update_id };
        }
      }
    };

    const checkBatch = async (sent: Sent[]) => {
      batches++;
      for (const s of sent) statusCount.set(s.status, (statusCount.get(s.status) ?? 0) + 1);
      expect(sent.filter((s) => s.status >= 500).map((s) => `${s.label}: ${s.status}`)).toEqual([]);
      const failed = sent.filter((s) => s.mustSucceed !== null && (bot.outcomes.get(s.mustSucceed) ?? []).includes('failed'));
      expect(failed.map((s) => s.label)).toEqual([]);
      await expectAllStatesValid(prisma);
      expect(await snapshotParents(prisma, victims)).toEqual(before);
      await expectLinksOwnChats(prisma, 'TELEGRAM', chatOf);
      await expectExtensionsConsistent(prisma);
      checkedCalls = expectNoLeaks(bot, world, actors, checkedCalls);
    };

    await fc.assert(
      fc.asyncProperty(fc.array(stepArb(world), { minLength: FUZZ_BATCH, maxLength: FUZZ_BATCH }), async (steps) => {
        const lanes = [
          steps.filter((s) => s.who === 0),
          steps.filter((s) => s.who === 1),
          ...[0, 1].map((k) => steps.filter((s, i) => typeof s.who === 'string' && i % 2 === k)),
        ];
        await checkBatch(await runLanes(lanes, runStep));
      }),
      { seed: FUZZ_SEED, numRuns: Math.ceil(UPDATES / FUZZ_BATCH), endOnFailure: true },
    );

    // The actors are still served: the menu comes back for /menu.
    for (const a of actors) {
      await a.tg.text('/start');
      await a.tg.text('/menu');
    }
    await checkBatch([]);
    expect(sentUpdates).toBeGreaterThanOrEqual(UPDATES);
    console.info(`fuzz telegram (${kind}): ${sentUpdates} updates in ${batches} batches, statuses ${JSON.stringify(Object.fromEntries(statusCount))}`);
  });
});

async function identify(a: Actor): Promise<void> {
  const p = a.tg;
  await p.start();
  const language = p
    .messages()
    .filter((m) => m.inline)
    .at(-1)
    ?.inline?.flat()
    .find((b) => b.text.replace(/^✅ /, '') === p.t(`language.${p.locale}`));
  if (language?.callback_data) await p.pressData(language.callback_data);
  await p.contact(a.person.phone);
  await p.text(a.person.parentIin);
}

async function actorStep(bot: Bot, world: FuzzWorld, a: Actor, move: ActorMove): Promise<Sent> {
  const p = a.tg;
  const label = `actor ${a.person.parentId} ${JSON.stringify(move).slice(0, 300)}`;
  const sent = async (update: Promise<Update>): Promise<Sent> => ({ label, status: 200, mustSucceed: (await update).update_id });
  const keyboards = p.messages().filter((m) => m.inline?.flat().some((b) => b.callback_data));
  switch (move.type) {
    case 'pressNewest':
    case 'pressOld': {
      const on = move.type === 'pressNewest' ? keyboards.at(-1) : keyboards.at(-Math.min(move.back, keyboards.length));
      if (!on) return sent(p.start());
      const buttons = on.inline!.flat().filter((b) => b.callback_data);
      return sent(p.pressData(buttons[move.pick % buttons.length]!.callback_data!, on));
    }
    case 'forgeCurrent': {
      const on = keyboards.at(-1);
      const seq = (on?.inline ?? [])
        .flat()
        .map((b) => decodeAction(b.callback_data!))
        .find((d) => d && d.action.type !== 'command')?.seq;
      return on && seq !== undefined ? sent(p.pressData(encodeAction(seq, move.action), on)) : sent(p.start());
    }
    case 'forgeRestore': {
      const others = world.everyone.filter((o) => o !== a.person).flatMap((o) => o.stopListedIds);
      const id = others[move.target % others.length]!;
      await p.text('/restore');
      const forged = async (action: Action) => {
        const on = p
          .messages()
          .filter((m) => m.inline?.flat().some((b) => b.callback_data))
          .at(-1);
        const seq = (on?.inline ?? [])
          .flat()
          .map((b) => decodeAction(b.callback_data!))
          .find((d) => d && d.action.type !== 'command')?.seq;
        if (on && seq !== undefined) await p.pressData(encodeAction(seq, action), on);
      };
      await forged({ type: 'choose', value: `a${id}_${move.queueNumber}` });
      await forged({ type: 'choose', value: 'confirm' });
      return { label, status: 200, mustSucceed: null };
    }
    case 'forge': {
      const on = keyboards.at(-1);
      return on ? sent(p.pressData(move.data, on)) : sent(p.start());
    }
    case 'send':
      return sent(bot.send(buildUpdate(bot, p.user, move.content, a.person.phone)));
    case 'identify':
      await identify(a);
      return { label, status: 200, mustSucceed: null };
  }
}

/** A Telegram update carrying `content` from `user` (ownPhone replaces OWN_PHONE in own contacts). */
function buildUpdate(bot: Bot, user: TestUser, content: Content, ownPhone: string | null): Omit<Update, 'update_id'> {
  const chat = { id: user.id, type: 'private' as const, first_name: user.first_name };
  const from = { id: user.id, is_bot: false, first_name: user.first_name, ...(user.language_code ? { language_code: user.language_code } : {}) };
  const date = Math.floor(Date.now() / 1000);
  switch (content.type) {
    case 'text':
      return textMessage(user, content.text);
    case 'contact': {
      const phone = content.phone === OWN_PHONE ? (ownPhone ?? '+77470000009') : content.phone;
      return contactMessage(user, phone, content.owner === 'self' ? user.id : content.owner === 'other' ? user.id + 1 : null);
    }
    case 'location':
      return locationMessage(user, content.latitude, content.longitude);
    case 'sticker':
      return textLess(user, {
        sticker: { file_id: 'CAAC', file_unique_id: 'AgAD', type: 'regular', width: 512, height: 512, is_animated: false, is_video: false },
      });
    case 'voice':
      return textLess(user, { voice: { file_id: 'AwAC', file_unique_id: 'AgAE', duration: 2 } });
    case 'photo':
      return textLess(user, { photo: [{ file_id: 'AgAC', file_unique_id: 'AQAD', width: 90, height: 90 }], caption: '😀 مرحبا' });
    case 'dice':
      return textLess(user, { dice: { emoji: '🎲', value: 4 } });
    case 'pinned':
      return textLess(user, { pinned_message: { message_id: 1, date, chat } });
    case 'press': {
      const known = bot.fake.messages.get(content.onMessage);
      const on = known ?? {
        message_id: content.onMessage,
        chatId: user.id,
        text: 'old',
        inline: null,
        sentMarkup: null,
        date: content.inaccessible ? 0 : date,
        editCount: 0,
      };
      return callbackQuery(bot.fake, user, { ...on, date: content.inaccessible ? 0 : on.date }, content.data);
    }
    case 'membership': {
      const me = { ...bot.fake.bot, is_bot: true as const };
      const kicked = { status: 'kicked' as const, user: me, until_date: 0 };
      const member = { status: 'member' as const, user: me };
      return {
        my_chat_member: {
          chat,
          from,
          date,
          old_chat_member: content.status === 'kicked' ? member : kicked,
          new_chat_member: content.status === 'kicked' ? kicked : member,
        },
      } as Omit<Update, 'update_id'>;
    }
    case 'edited':
      return { edited_message: { message_id: 5, date, edit_date: date, chat, from, text: content.text } } as Omit<Update, 'update_id'>;
    case 'group':
      return { message: { message_id: 6, date, chat: { id: -100_123, type: 'supergroup', title: 'g' }, from, text: content.text } } as Omit<
        Update,
        'update_id'
      >;
    case 'channelPost':
      return { channel_post: { message_id: 7, date, chat: { id: -100_456, type: 'channel', title: 'c' }, text: content.text } } as Omit<Update, 'update_id'>;
  }
}

function textLess(user: TestUser, extra: Record<string, unknown>): Omit<Update, 'update_id'> {
  const base = textMessage(user, 'x') as unknown as { message: Record<string, unknown> };
  delete base.message['text'];
  return { message: { ...base.message, ...extra } } as unknown as Omit<Update, 'update_id'>;
}

function expectStatus(status: number, expected: number): number {
  expect(status).toBe(expected);
  return status;
}

/**
 * Every text and button the bot sent or edited since call `from`, per chat: a stranger's chat names
 * no parent's data, an actor's chat no one else's. Returns the index to continue from.
 */
function expectNoLeaks(bot: Bot, world: FuzzWorld, actors: Actor[], from: number): number {
  const calls = bot.fake.calls;
  const byChat = new Map<string, string[]>();
  for (const c of calls.slice(from)) {
    if (c.params.chat_id === undefined) continue;
    const chat = String(c.params.chat_id);
    byChat.set(chat, [...(byChat.get(chat) ?? []), String(c.params.text ?? ''), JSON.stringify(c.params.reply_markup ?? null)]);
  }
  const leaks: string[] = [];
  for (const [chat, texts] of byChat) {
    const self = actors.find((a) => String(a.tg.chatId) === chat)?.person ?? null;
    for (const l of leaksIn(texts, self, world.everyone)) leaks.push(`chat ${chat} ← ${l}`);
  }
  expect(leaks).toEqual([]);
  return calls.length;
}
