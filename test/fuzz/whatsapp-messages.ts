/**
 * Random WhatsApp webhook traffic: the two linked actors' taps (current and old controls, forged
 * reply ids, forged restores) and messages, strangers' messages of every type (signed, as Meta
 * would send them, sometimes damaged), and attackers' deliveries: unsigned, wrongly signed,
 * signed for another body, not JSON, oversized, for another phone number id, another object.
 */
import fc from 'fast-check';
import type { Action } from '../../src/conversation/core/io.ts';
import { buttonDataArb, forgedActionArb, mutationArb, textArb, type Mutation } from './arbitraries.ts';
import type { FuzzWorld } from './world.ts';

/** wa_ids of strangers: numbers in no registry. */
export const STRANGERS = Array.from({ length: 40 }, (_, i) => `7747${String(1_000_000 + i).padStart(7, '0')}`);

export type Content =
  | { type: 'text'; text: string }
  | { type: 'button_reply' | 'list_reply'; id: string; title: string }
  | { type: 'template_button'; payload: string }
  | { type: 'location'; latitude: unknown; longitude: unknown }
  | { type: 'sticker' | 'audio' | 'reaction' | 'unknown' | 'system' | 'image' };

export type ActorMove =
  | { type: 'tapNewest'; pick: number }
  | { type: 'tapOld'; back: number; pick: number }
  | { type: 'forge'; id: string }
  | { type: 'forgeCurrent'; action: Action }
  | { type: 'forgeRestore'; target: number; queueNumber: number }
  | { type: 'send'; content: Content }
  | { type: 'identify' };

export type Attack =
  | { type: 'unsigned' }
  | { type: 'wrongSecret'; secret: string }
  | { type: 'otherBody' }
  | { type: 'badHeader'; header: string }
  | { type: 'notJson'; body: string }
  | { type: 'tooLarge'; bytes: number }
  | { type: 'otherNumber' }
  | { type: 'otherObject'; object: unknown }
  | { type: 'statuses'; ids: string[]; status: string; code: number | null };

export type Step =
  | { who: 0 | 1; move: ActorMove }
  | { who: 'stranger'; from: string[]; contents: Content[]; mutation: Mutation | null }
  /** `victim` picks whose number the forgery claims to come from. */
  | { who: 'attacker'; attack: Attack; victim: number; content: Content };

function contentArb(world: FuzzWorld): fc.Arbitrary<Content> {
  const title = fc.string({ unit: 'grapheme', maxLength: 30 });
  const coordinate = fc.oneof(fc.double({ min: -200, max: 200, noNaN: true }), fc.constantFrom('43.2', 'abc', null, '', 1e308, true));
  return fc.oneof(
    { weight: 8, arbitrary: textArb(world).map((text): Content => ({ type: 'text', text })) },
    {
      weight: 5,
      arbitrary: fc
        .tuple(fc.constantFrom('button_reply' as const, 'list_reply' as const), buttonDataArb(world), title)
        .map(([type, id, t]): Content => ({ type, id, title: t })),
    },
    { weight: 1, arbitrary: buttonDataArb(world).map((payload): Content => ({ type: 'template_button', payload })) },
    { weight: 1, arbitrary: fc.tuple(coordinate, coordinate).map(([latitude, longitude]): Content => ({ type: 'location', latitude, longitude })) },
    { weight: 1, arbitrary: fc.constantFrom('sticker', 'audio', 'reaction', 'unknown', 'system', 'image').map((type) => ({ type }) as Content) },
  );
}

function actorMoveArb(world: FuzzWorld): fc.Arbitrary<ActorMove> {
  return fc.oneof(
    { weight: 10, arbitrary: fc.nat().map((pick): ActorMove => ({ type: 'tapNewest', pick })) },
    { weight: 2, arbitrary: fc.tuple(fc.integer({ min: 1, max: 30 }), fc.nat()).map(([back, pick]): ActorMove => ({ type: 'tapOld', back, pick })) },
    { weight: 2, arbitrary: buttonDataArb(world).map((id): ActorMove => ({ type: 'forge', id })) },
    { weight: 3, arbitrary: forgedActionArb(world).map((action): ActorMove => ({ type: 'forgeCurrent', action })) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.nat(), fc.integer({ min: 1, max: 99_999 }))
        .map(([target, queueNumber]): ActorMove => ({ type: 'forgeRestore', target, queueNumber })),
    },
    { weight: 3, arbitrary: contentArb(world).map((content): ActorMove => ({ type: 'send', content })) },
    { weight: 1, arbitrary: fc.constant<ActorMove>({ type: 'identify' }) },
  );
}

function attackArb(): fc.Arbitrary<Attack> {
  return fc.oneof(
    fc.constant<Attack>({ type: 'unsigned' }),
    fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 40 }).map((secret): Attack => ({ type: 'wrongSecret', secret })),
    fc.constant<Attack>({ type: 'otherBody' }),
    fc
      .oneof(fc.string({ unit: 'grapheme-ascii', maxLength: 80 }), fc.constantFrom('sha256=', 'sha1=abc', 'sha256=zz', `sha256=${'0'.repeat(64)}`))
      .map((header): Attack => ({ type: 'badHeader', header })),
    fc.oneof(fc.string({ maxLength: 100 }), fc.constantFrom('', '{', 'null', '[]')).map((body): Attack => ({ type: 'notJson', body })),
    fc.integer({ min: 1_048_577, max: 2_500_000 }).map((bytes): Attack => ({ type: 'tooLarge', bytes })),
    fc.constant<Attack>({ type: 'otherNumber' }),
    fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom('page', 'instagram', null, 42)).map((object): Attack => ({ type: 'otherObject', object })),
    fc
      .tuple(
        fc.array(fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('wamid.unknown', '')), { minLength: 1, maxLength: 3 }),
        fc.constantFrom('sent', 'delivered', 'read', 'failed', 'deleted', ''),
        fc.option(fc.constantFrom(131047, 131026, 130429, 1, 0)),
      )
      .map(([ids, status, code]): Attack => ({ type: 'statuses', ids, status, code })),
  );
}

export function stepArb(world: FuzzWorld): fc.Arbitrary<Step> {
  const stranger = fc.constantFrom(...STRANGERS);
  return fc.oneof(
    { weight: 5, arbitrary: fc.tuple(fc.constantFrom(0 as const, 1 as const), actorMoveArb(world)).map(([who, move]): Step => ({ who, move })) },
    {
      weight: 5,
      arbitrary: fc
        .tuple(
          fc.array(stranger, { minLength: 1, maxLength: 3 }),
          fc.array(contentArb(world), { minLength: 1, maxLength: 3 }),
          fc.option(mutationArb, { freq: 3 }),
        )
        .map(([from, contents, mutation]): Step => ({ who: 'stranger', from, contents: contents.slice(0, from.length), mutation })),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(attackArb(), fc.nat(), contentArb(world)).map(([attack, victim, content]): Step => ({ who: 'attacker', attack, victim, content })),
    },
  );
}
