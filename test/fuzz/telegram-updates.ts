/**
 * Random Telegram webhook traffic: what the two linked actors do (valid presses on their newest
 * keyboard, presses on old keyboards, forged button data, free input, identification again) and
 * what strangers and attackers send (every update shape, damaged updates, updates without or with
 * a wrong secret token, non-JSON and oversized bodies).
 */
import fc from 'fast-check';
import type { Action } from '../../src/conversation/core/io.ts';
import { buttonDataArb, forgedActionArb, mutationArb, textArb, type Mutation } from './arbitraries.ts';
import type { FuzzWorld } from './world.ts';

/** Telegram user ids of strangers (never linked: they know no phone + IIN pair). */
export const STRANGERS = Array.from({ length: 40 }, (_, i) => 8_800_001 + i);
/** Phones that are in no registry: a stranger may share one of these as their own contact. */
export const OWN_PHONE = 'OWN_PHONE';
const UNREGISTERED = ['+77470000001', '+77470000002', '+79990000000', '+12025550123', '87001112233', '+7 (701) 000-00-00', 'not a phone', ''];

export type Content =
  | { type: 'text'; text: string }
  | { type: 'contact'; phone: string; owner: 'self' | 'other' | 'missing' }
  | { type: 'location'; latitude: number; longitude: number }
  | { type: 'sticker' | 'voice' | 'photo' | 'dice' | 'pinned' }
  | { type: 'press'; data: string; onMessage: number; inaccessible: boolean }
  | { type: 'membership'; status: 'kicked' | 'member' }
  | { type: 'edited'; text: string }
  | { type: 'group'; text: string }
  | { type: 'channelPost'; text: string };

export type ActorMove =
  | { type: 'pressNewest'; pick: number }
  | { type: 'pressOld'; back: number; pick: number }
  | { type: 'forge'; data: string }
  /** A forged action with the seq of the screen shown now: it reaches the state machine. */
  | { type: 'forgeCurrent'; action: Action }
  /** Opens the stop-list, forges a choice of someone else's stop-listed application, confirms. */
  | { type: 'forgeRestore'; target: number; queueNumber: number }
  | { type: 'send'; content: Content }
  | { type: 'identify' };

export type Transport =
  | { type: 'noSecret' }
  | { type: 'wrongSecret'; secret: string }
  | { type: 'notJson'; body: string }
  | { type: 'notAnUpdate'; body: unknown }
  | { type: 'tooLarge'; bytes: number }
  | { type: 'bigText'; chars: number };

export type Step =
  | { who: 0 | 1; move: ActorMove }
  | { who: 'stranger'; user: number; content: Content; mutation: Mutation | null; languageCode: string | null }
  /** `user` 0 and 1 are the actors' chats (forgeries in their name), others strangers. */
  | { who: 'attacker'; transport: Transport; content: Content; user: number };

function contentArb(world: FuzzWorld, self: 'actor' | 'stranger'): fc.Arbitrary<Content> {
  const anyPhone = fc.constantFrom(...world.everyone.map((p) => p.phone), ...UNREGISTERED);
  // Telegram vouches for an own contact (user_id = sender): nobody owns another parent's number.
  // OWN_PHONE stands for the actor's own number.
  const ownPhone = self === 'stranger' ? fc.constantFrom(...UNREGISTERED) : fc.constantFrom(OWN_PHONE, ...UNREGISTERED);
  const coordinate = fc.oneof(fc.double({ min: -200, max: 200, noNaN: true }), fc.constantFrom(0, 90, -90, 180, -180, 1e308, -1e308));
  return fc.oneof(
    { weight: 8, arbitrary: textArb(world).map((text): Content => ({ type: 'text', text })) },
    {
      weight: 2,
      arbitrary: fc.oneof(
        ownPhone.map((phone): Content => ({ type: 'contact', phone, owner: 'self' })),
        fc.tuple(anyPhone, fc.constantFrom('other' as const, 'missing' as const)).map(([phone, owner]): Content => ({ type: 'contact', phone, owner })),
      ),
    },
    { weight: 1, arbitrary: fc.tuple(coordinate, coordinate).map(([latitude, longitude]): Content => ({ type: 'location', latitude, longitude })) },
    { weight: 1, arbitrary: fc.constantFrom('sticker', 'voice', 'photo', 'dice', 'pinned').map((type) => ({ type }) as Content) },
    {
      weight: 5,
      arbitrary: fc
        .tuple(buttonDataArb(world), fc.integer({ min: -5, max: 100_000 }), fc.boolean())
        .map(([data, onMessage, inaccessible]): Content => ({ type: 'press', data, onMessage, inaccessible })),
    },
    { weight: 1, arbitrary: fc.constantFrom('kicked' as const, 'member' as const).map((status): Content => ({ type: 'membership', status })) },
    { weight: 1, arbitrary: textArb(world).map((text): Content => ({ type: 'edited', text })) },
    { weight: 1, arbitrary: textArb(world).map((text): Content => ({ type: 'group', text })) },
    { weight: 1, arbitrary: textArb(world).map((text): Content => ({ type: 'channelPost', text })) },
  );
}

function actorMoveArb(world: FuzzWorld): fc.Arbitrary<ActorMove> {
  return fc.oneof(
    { weight: 10, arbitrary: fc.nat().map((pick): ActorMove => ({ type: 'pressNewest', pick })) },
    { weight: 2, arbitrary: fc.tuple(fc.integer({ min: 1, max: 30 }), fc.nat()).map(([back, pick]): ActorMove => ({ type: 'pressOld', back, pick })) },
    { weight: 2, arbitrary: buttonDataArb(world).map((data): ActorMove => ({ type: 'forge', data })) },
    { weight: 3, arbitrary: forgedActionArb(world).map((action): ActorMove => ({ type: 'forgeCurrent', action })) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.nat(), fc.integer({ min: 1, max: 99_999 }))
        .map(([target, queueNumber]): ActorMove => ({ type: 'forgeRestore', target, queueNumber })),
    },
    { weight: 3, arbitrary: contentArb(world, 'actor').map((content): ActorMove => ({ type: 'send', content })) },
    { weight: 1, arbitrary: fc.constant<ActorMove>({ type: 'identify' }) },
  );
}

function transportArb(): fc.Arbitrary<Transport> {
  return fc.oneof(
    fc.constant<Transport>({ type: 'noSecret' }),
    fc
      .oneof(fc.string({ unit: 'grapheme-ascii', maxLength: 300 }), fc.constantFrom('test_secret-12', 'test_secret-1234', 'TEST_SECRET-123', 'test_secret-124'))
      .map((secret): Transport => ({ type: 'wrongSecret', secret })),
    fc
      .oneof(fc.string({ maxLength: 200 }), fc.constantFrom('', '{', '{"update_id":', 'null', '[]', '"x"', '{"update_id": 1,}'))
      .map((body): Transport => ({ type: 'notJson', body })),
    fc
      .oneof(
        fc.jsonValue({ maxDepth: 3 }),
        fc.constantFrom({}, { update_id: -1 }, { update_id: 1.5 }, { update_id: '7' }, { update_id: null }, { update_id: 2 ** 60 }, { message: {} }),
      )
      .map((body): Transport => ({ type: 'notAnUpdate', body })),
    fc.integer({ min: 1_048_577, max: 3_000_000 }).map((bytes): Transport => ({ type: 'tooLarge', bytes })),
    fc.integer({ min: 100_000, max: 300_000 }).map((chars): Transport => ({ type: 'bigText', chars })),
  );
}

export function stepArb(world: FuzzWorld): fc.Arbitrary<Step> {
  const stranger = fc.constantFrom(...STRANGERS);
  return fc.oneof(
    { weight: 5, arbitrary: fc.tuple(fc.constantFrom(0 as const, 1 as const), actorMoveArb(world)).map(([who, move]): Step => ({ who, move })) },
    {
      weight: 5,
      arbitrary: fc
        .tuple(stranger, contentArb(world, 'stranger'), fc.option(mutationArb, { freq: 3 }), fc.constantFrom(null, 'kk', 'ru', 'en', 'kk-KZ', ''))
        .map(([user, content, mutation, languageCode]): Step => ({ who: 'stranger', user, content, mutation, languageCode })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(transportArb(), contentArb(world, 'actor'), fc.nat({ max: 3 }))
        .map(([transport, content, user]): Step => ({ who: 'attacker', transport, content, user })),
    },
  );
}
