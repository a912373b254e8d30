/**
 * Fuzzing the WhatsApp channel through its real entry point, POST /webhooks/whatsapp (signed with
 * the app secret, as Meta signs), against the loopback fake Graph API: two linked parents keep
 * tapping (current and old controls, forged reply ids naming other parents' applications and
 * kindergartens that do not exist, forged restores) while strangers send every message type,
 * batched and damaged deliveries, and attackers post unsigned and forged deliveries in the
 * victims' names. After every batch: every HTTP answer below 500, every accepted update processed
 * (none left failing in the inbox), and the invariants of ./world.ts.
 *
 * FUZZ_RUNS (updates; 10 000 when CI=true, the default below otherwise), FUZZ_SEED, FUZZ_DB=embedded|postgres|both (default embedded).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeAction, encodeAction } from '../../src/conversation/core/action-codec.ts';
import type { Action } from '../../src/conversation/core/io.ts';
import { delivery, messagesChange, signature, signed, wa, wamid, webhookPayload, type WaMessage } from '../../test-support/fakes/whatsapp-webhook.ts';
import { APP_SECRET, findControl, NUMBER, useWhatsApp, type WaUser, type Harness, type Sent as Reply } from '../whatsapp/harness.ts';
import { FUZZ_SEED, fuzzUpdates, mutate } from './arbitraries.ts';
import { fuzzDbKinds, FUZZ_BATCH, runLanes } from './settings.ts';
import { stepArb, type ActorMove, type Attack, type Content, type Step } from './whatsapp-messages.ts';
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

const UPDATES = fuzzUpdates(2_000);

interface Actor {
  person: Person;
  user: WaUser;
  locale: 'kk' | 'ru';
}

interface Sent {
  label: string;
  status: number;
}

describe.each(fuzzDbKinds())('fuzz: WhatsApp webhook (%s)', (kind) => {
  const h = useWhatsApp(kind);

  it(`${UPDATES} random and malformed deliveries: no 5xx, states valid, no chat touches another parent's data`, { timeout: 900_000 }, async () => {
    const prisma = h.prisma();
    const world = await seedFuzzWorld(prisma, h.clock.now());
    const actors: Actor[] = world.actors.map((person, i) => ({ person, user: h.user(person.waId), locale: i === 0 ? 'ru' : 'kk' }));
    for (const a of actors) await identify(a);
    const chatOf = new Map(actors.map((a) => [a.person.parentId, a.person.waId]));
    const victims = world.victims.map((v) => v.parentId);
    const before = await snapshotParents(prisma, victims);
    expect(await prisma.chatLink.count({ where: { channel: 'WHATSAPP' } })).toBe(2);

    let sentUpdates = 0;
    let checkedCalls = 0;
    const statusCount = new Map<number, number>();

    const runStep = async (s: Step): Promise<Sent> => {
      sentUpdates++;
      if (typeof s.who === 'number') return actorStep(h, world, actors[s.who]!, s.move);
      if (s.who === 'stranger') {
        const messages = s.contents.map((c, i) => message(s.from[i]!, c));
        const payload = delivery({ number: NUMBER, messages });
        const body = s.mutation ? mutate(payload, s.mutation) : payload;
        const res = await h.post(body);
        return { label: `stranger ${JSON.stringify(body).slice(0, 300)}`, status: res.status };
      }
      return attack(h, s.attack, world.everyone[s.victim % world.everyone.length]!, s.content);
    };

    const checkBatch = async (sent: Sent[]) => {
      await h.channel.idle();
      for (const s of sent) statusCount.set(s.status, (statusCount.get(s.status) ?? 0) + 1);
      expect(sent.filter((s) => s.status >= 500).map((s) => `${s.label}: ${s.status}`)).toEqual([]);
      // Everything accepted was processed (a failure would leave its row for the recovery sweep).
      const stuck = await prisma.inboundUpdate.findMany({ where: { channel: 'WHATSAPP', processedAt: null }, select: { externalId: true, attempts: true } });
      expect(stuck).toEqual([]);
      await expectAllStatesValid(prisma);
      expect(await snapshotParents(prisma, victims)).toEqual(before);
      await expectLinksOwnChats(prisma, 'WHATSAPP', chatOf);
      await expectExtensionsConsistent(prisma);
      checkedCalls = expectNoLeaks(h, world, actors, checkedCalls);
    };

    await fc.assert(
      fc.asyncProperty(fc.array(stepArb(world), { minLength: FUZZ_BATCH, maxLength: FUZZ_BATCH }), async (steps) => {
        // One lane: every post waits until the channel is idle (the harness's way of knowing the
        // reply is out), so parallel lanes would only wait on each other. Chats still interleave.
        await checkBatch(await runLanes([steps], runStep));
      }),
      { seed: FUZZ_SEED, numRuns: Math.ceil(UPDATES / FUZZ_BATCH), endOnFailure: true },
    );

    await checkBatch([]);
    // Nothing the bot sent broke the Cloud API's documented limits.
    // (Replies to senders whose damaged id is no phone number are refused, as the real API would.)
    expect(
      h.fake
        .rejected()
        .filter((c) => /^\d{6,15}$/.test(String(c.body?.to)))
        .map((c) => c.rejected),
    ).toEqual([]);
    expect(sentUpdates).toBeGreaterThanOrEqual(UPDATES);
    console.info(`fuzz whatsapp (${kind}): ${sentUpdates} deliveries, statuses ${JSON.stringify(Object.fromEntries(statusCount))}`);
  });
});

async function identify(a: Actor): Promise<void> {
  await a.user.say('Сәлем');
  if (findControl(a.user.last, { type: 'choose', value: a.locale })) await a.user.tap({ type: 'choose', value: a.locale });
  await a.user.say(a.person.childIin);
}

/** The seq of the newest screen among the replies (from its non-command controls). */
function currentSeq(replies: Reply[]): number | undefined {
  for (const r of [...replies].reverse()) {
    for (const c of r.controls) {
      const d = decodeAction(c.id);
      if (d && d.action.type !== 'command') return d.seq;
    }
  }
  return undefined;
}

async function actorStep(_h: Harness, world: FuzzWorld, a: Actor, move: ActorMove): Promise<Sent> {
  const u = a.user;
  const label = `actor ${a.person.parentId} ${JSON.stringify(move).slice(0, 300)}`;
  const done = { label, status: 200 };
  const press = (id: string) => u.send(wa.buttonReply(u.waId, id, 'x'));
  switch (move.type) {
    case 'tapNewest':
    case 'tapOld': {
      const replies = move.type === 'tapNewest' ? u.last : u.all.slice(-move.back);
      const controls = replies.flatMap((r) => r.controls.map((c) => ({ r, c })));
      if (controls.length === 0) {
        await u.say('/menu');
        return done;
      }
      const { c } = controls[move.pick % controls.length]!;
      await u.tapIn(replies, (x) => x === c);
      return done;
    }
    case 'forge':
      await press(move.id);
      return done;
    case 'forgeCurrent': {
      const seq = currentSeq(u.last);
      await (seq === undefined ? u.say('/menu') : press(encodeAction(seq, move.action)));
      return done;
    }
    case 'forgeRestore': {
      const others = world.everyone.filter((o) => o !== a.person).flatMap((o) => o.stopListedIds);
      const id = others[move.target % others.length]!;
      await press('x.restore');
      for (const action of [
        { type: 'choose', value: `a${id}_${move.queueNumber}` },
        { type: 'choose', value: 'confirm' },
      ] as Action[]) {
        const seq = currentSeq(u.last);
        if (seq !== undefined) await press(encodeAction(seq, action));
      }
      return done;
    }
    case 'send':
      await u.send(message(u.waId, move.content));
      return done;
    case 'identify':
      await identify(a);
      return done;
  }
}

function message(from: string, c: Content): WaMessage {
  switch (c.type) {
    case 'text':
      return wa.text(from, c.text);
    case 'button_reply':
      return wa.buttonReply(from, c.id, c.title);
    case 'list_reply':
      return wa.listReply(from, c.id, c.title);
    case 'template_button':
      return wa.templateButton(from, c.payload, 'Ұзарту');
    case 'location':
      return { ...wa.location(from, 0, 0), location: { latitude: c.latitude, longitude: c.longitude } };
    case 'sticker':
      return wa.sticker(from);
    case 'audio':
      return wa.audio(from);
    case 'reaction':
      return { from, id: wamid(), timestamp: '1', type: 'reaction', reaction: { message_id: wamid(), emoji: '👍' } };
    case 'system':
      return { from, id: wamid(), timestamp: '1', type: 'system', system: { body: 'changed number', type: 'user_changed_number' } };
    case 'image':
      return { from, id: wamid(), timestamp: '1', type: 'image', image: { id: '1', mime_type: 'image/jpeg', caption: 'مرحبا 😀' } };
    case 'unknown':
      return { from, id: wamid(), timestamp: '1', type: 'unsupported', errors: [{ code: 131051, title: 'Message type unknown' }] };
  }
}

async function attack(h: Harness, t: Attack, victim: Person, content: Content): Promise<Sent> {
  // Deliveries in a victim's name: only a valid signature could make them count.
  const payload = delivery({ number: NUMBER, messages: [message(victim.waId, content)] });
  const s = signed(payload, APP_SECRET);
  const expectStatus = async (label: string, res: Promise<Response>, expected: number): Promise<Sent> => {
    const status = (await res).status;
    expect(status, label).toBe(expected);
    return { label, status };
  };
  switch (t.type) {
    case 'unsigned':
      return expectStatus('unsigned', h.postRaw(s.body, { 'content-type': 'application/json' }), 401);
    case 'wrongSecret':
      return expectStatus(
        'wrong secret',
        h.post(payload, { 'x-hub-signature-256': signature(s.body, t.secret === APP_SECRET ? `${t.secret}x` : t.secret) }),
        401,
      );
    case 'otherBody':
      return expectStatus('signature of another body', h.postRaw(s.body.replace('"from"', '"from" '), s.headers), 401);
    case 'badHeader':
      return expectStatus('bad signature header', h.postRaw(s.body, { ...s.headers, 'x-hub-signature-256': t.header }), 401);
    case 'notJson':
      return expectStatus(
        'signed, not JSON',
        h.postRaw(t.body, { 'content-type': 'application/json', 'x-hub-signature-256': signature(t.body, APP_SECRET) }),
        isJson(t.body) ? 200 : 400,
      );
    case 'tooLarge': {
      const big = Buffer.alloc(t.bytes, 0x61);
      return expectStatus('too large', h.postRaw(big, { 'content-type': 'application/json', 'x-hub-signature-256': signature(big, APP_SECRET) }), 413);
    }
    case 'otherNumber': {
      const other = delivery({ number: { ...NUMBER, phoneNumberId: '999000111' }, messages: [message(victim.waId, content)] });
      return expectStatus('another phone number id', h.post(other), 200);
    }
    case 'otherObject':
      return expectStatus('another object', h.post({ ...payload, object: t.object }), 200);
    case 'statuses': {
      const statuses = t.ids.map((id) => ({
        id,
        status: t.status,
        timestamp: '1',
        recipient_id: victim.waId,
        ...(t.code !== null ? { errors: [{ code: t.code, title: 'x' }] } : {}),
      }));
      const body = webhookPayload([{ wabaId: NUMBER.wabaId, changes: [messagesChange({ number: NUMBER, statuses })] }]);
      return expectStatus('statuses', h.post(body), 200);
    }
  }
}

function isJson(s: string): boolean {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}

/** Every reply the fake accepted since call `from`, per recipient: no one else's data in it. */
function expectNoLeaks(h: Harness, world: FuzzWorld, actors: Actor[], from: number): number {
  const calls = h.fake.calls;
  const byChat = new Map<string, string[]>();
  for (const c of calls.slice(from)) {
    const to = String(c.body?.to ?? '');
    byChat.set(to, [...(byChat.get(to) ?? []), JSON.stringify(c.body)]);
  }
  const leaks: string[] = [];
  for (const [chat, texts] of byChat) {
    const self = actors.find((a) => a.person.waId === chat)?.person ?? null;
    for (const l of leaksIn(texts, self, world.everyone)) leaks.push(`chat ${chat} ← ${l}`);
  }
  expect(leaks).toEqual([]);
  return calls.length;
}
