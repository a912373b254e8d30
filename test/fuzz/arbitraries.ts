/**
 * Channel-neutral generators of hostile input: texts (empty, over-long, emoji, RTL, control and
 * zero-width characters, lone surrogates, IIN- and phone-like digits), forged button data (well
 * formed for the action codec, naming other parents' applications and kindergartens that do not
 * exist, and garbage), and structural mutations of an otherwise valid payload (a field removed or
 * replaced by a value of another type).
 */
import fc from 'fast-check';
import { encodeAction } from '../../src/conversation/core/action-codec.ts';
import { COMMANDS, type Action } from '../../src/conversation/core/io.ts';
import type { FuzzWorld } from './world.ts';

/** How many updates per channel (FUZZ_RUNS), the seed (FUZZ_SEED), and the databases (FUZZ_DB). */
export const FUZZ_SEED = Number(process.env['FUZZ_SEED'] ?? 20_261_105);

/** The count: CI runs it in full; a developer's `npm test` runs the smaller default. */
export const FULL_FUZZ_RUNS = 10_000;

export function fuzzUpdates(fallback: number): number {
  const n = Number(process.env['FUZZ_RUNS'] ?? (process.env['CI'] === 'true' ? FULL_FUZZ_RUNS : fallback));
  if (!Number.isInteger(n) || n <= 0) throw new Error(`FUZZ_RUNS must be a positive integer, not "${process.env['FUZZ_RUNS']}"`);
  return n;
}

const EMOJI = ['😀', '👨‍👩‍👧‍👦', '🇰🇿', '❤️', '🧒🏽', '✅', '⬅️', '🔙'];
const RTL = ['مرحبا بالعالم', 'שלום עולם', '\u202eevil\u202c', 'سلام ١٢٣'];
// biome-ignore lint/suspicious/noTemplateCurlyInString: a template placeholder is exactly the odd text fuzzing sends
const ODD = ['\u0000', '\u200b', '\ufeff', '\ud800', '\udfff', '\r\n', '\t', '﷽', 'Z̴̡̛a̶l̷g̸o', '%s%n', '${x}', '{{queueNumber}}', '<b>x</b>', "' OR 1=1 --"];
const COMMAND_TEXTS = [...COMMANDS.map((c) => `/${c}`), '/start extra payload', '/unknown', '/', '/menu@kezek_test_bot', '/STARTX'];

// Never containing "931": real queue numbers are 931 xxx, and a search echoes what was typed.
const digits = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: n, maxLength: n }).filter((s) => !s.includes('931'));

export function textArb(world: FuzzWorld): fc.Arbitrary<string> {
  const iins = world.everyone.flatMap((p) => [p.parentIin, p.childIin]);
  return fc.oneof(
    { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 60 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.constant('') },
    { weight: 1, arbitrary: fc.constantFrom(' ', '   \n\t ', '\u00a0') },
    { weight: 1, arbitrary: fc.integer({ min: 4097, max: 12_000 }).map((n) => 'Ж'.repeat(n)) },
    { weight: 1, arbitrary: fc.integer({ min: 190, max: 260 }).map((n) => 'a'.repeat(n)) },
    { weight: 2, arbitrary: fc.array(fc.constantFrom(...EMOJI), { minLength: 1, maxLength: 30 }).map((a) => a.join('')) },
    { weight: 1, arbitrary: fc.constantFrom(...RTL) },
    { weight: 1, arbitrary: fc.array(fc.constantFrom(...ODD), { minLength: 1, maxLength: 5 }).map((a) => a.join('')) },
    { weight: 2, arbitrary: fc.constantFrom(...COMMAND_TEXTS) },
    { weight: 2, arbitrary: digits(12) },
    { weight: 2, arbitrary: fc.constantFrom(...iins) },
    { weight: 1, arbitrary: fc.constantFrom(...world.everyone.map((p) => p.phone)) },
    { weight: 2, arbitrary: fc.array(fc.integer({ min: -3, max: 40 }), { minLength: 1, maxLength: 8 }).map((a) => a.join(', ')) },
    { weight: 1, arbitrary: fc.constantFrom('101', '112', 'Балапан', 'балапан 1', '№ 105', '99999') },
  );
}

/** Action values aimed at other people's data and at things that do not exist. */
function forgedValue(world: FuzzWorld): fc.Arbitrary<string> {
  const others = world.everyone.flatMap((p) => p.applicationIds);
  // Queue numbers in forged restore buttons stay below 100 000: the real ones are 931 000+.
  const fakeQueue = fc.integer({ min: 1, max: 99_999 });
  const stopListed = world.everyone.flatMap((p) => p.stopListedIds);
  return fc.oneof(
    fc.tuple(fc.constantFrom(...stopListed), fakeQueue).map(([id, q]) => `a${id}_${q}`),
    fc.tuple(fc.constantFrom(...others), fakeQueue).map(([id, q]) => `a${id}_${q}`),
    fc.tuple(fc.integer({ min: 1, max: 999_999_999 }), fakeQueue).map(([id, q]) => `a${id}_${q}`),
    fc.constantFrom(...world.kindergartenIds.map(String)),
    fc.integer({ min: 1, max: 999_999_999 }).map(String),
    fc.constantFrom(
      'confirm',
      'e1',
      'e4',
      'e6',
      'e7',
      'kk',
      'ru',
      'en',
      'STATE',
      'PRIVATE',
      'ANY',
      'QUALITY',
      'COST',
      'KK',
      'RU',
      'other',
      'chess',
      'clear',
      'near',
      '25000',
      '0',
      '-1',
    ),
    fc.string({ unit: fc.constantFrom(...'abcXYZ019_:-'), minLength: 1, maxLength: 40 }),
  );
}

export function forgedActionArb(world: FuzzWorld): fc.Arbitrary<Action> {
  return fc.oneof(
    forgedValue(world).map((value): Action => ({ type: 'choose', value })),
    fc.tuple(forgedValue(world), fc.boolean()).map(([value, on]): Action => ({ type: 'toggle', value, on })),
    fc.constant<Action>({ type: 'done' }),
    fc.constant<Action>({ type: 'back' }),
    fc.integer({ min: 0, max: 9999 }).map((page): Action => ({ type: 'page', page })),
    fc.constantFrom(...COMMANDS).map((name): Action => ({ type: 'command', name })),
  );
}

/** Button data: well-formed forgeries (current-looking seqs and old ones) and garbage. */
export function buttonDataArb(world: FuzzWorld): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 5, arbitrary: fc.tuple(fc.integer({ min: 0, max: 60 }), forgedActionArb(world)).map(([seq, a]) => encodeAction(seq, a)) },
    { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 0, max: 999_999_999 }), forgedActionArb(world)).map(([seq, a]) => encodeAction(seq, a)) },
    { weight: 2, arbitrary: fc.string({ maxLength: 80 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }) },
    { weight: 1, arbitrary: fc.constantFrom('', '.', '1.', 'x.', 'x.rm', '1.c.', '1.t.5', '1.t.5.2', '1.p.-1', '1.p.99999', '9999999999.d', 'x.start.x') },
  );
}

/** Where and how to damage a valid payload. */
export interface Mutation {
  /** Picks the node to change among all nodes of the payload (modulo their count). */
  at: number;
  kind: 'delete' | 'replace';
  value: unknown;
}

export const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('delete', 'replace'),
  value: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(null, '', 0, -1, 1e308, true, [], {}, 'x'.repeat(300), Number.MAX_SAFE_INTEGER)),
});

/** A copy of `payload` with one node (not the root) deleted or replaced by another type. */
export function mutate<T>(payload: T, m: Mutation): T {
  const copy = structuredClone(payload) as unknown;
  const slots: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (node: unknown) => {
    if (node === null || typeof node !== 'object') return;
    for (const key of Object.keys(node)) {
      const k = Array.isArray(node) ? Number(key) : key;
      slots.push({ parent: node as Record<string, unknown>, key: k });
      walk((node as Record<string, unknown>)[key]);
    }
  };
  walk(copy);
  if (slots.length === 0) return copy as T;
  const slot = slots[m.at % slots.length]!;
  if (m.kind === 'delete') {
    if (Array.isArray(slot.parent)) slot.parent.splice(slot.key as number, 1);
    else delete (slot.parent as Record<string, unknown>)[slot.key as string];
  } else (slot.parent as Record<string | number, unknown>)[slot.key] = m.value;
  return copy as T;
}
