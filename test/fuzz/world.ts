/**
 * The registry the fuzz runs against, shared by both channels, and the invariants checked after
 * every batch of random updates:
 *   - every stored conversation state passes its zod schema;
 *   - the victims (parents no chat is linked to, whose ids the fuzzer forges into buttons) are
 *     byte-for-byte unchanged;
 *   - each actor's chat is linked to that actor or to nobody, never to someone else;
 *   - every extension row belongs to a questionnaire of the application's own parent (a restore or
 *     an extension done by one parent on another's application would break this);
 *   - nothing sent to a chat names another parent's queue numbers or children.
 *
 * Queue numbers are drawn from 931 000…, a range that never appears in forged buttons (those use
 * 1…99 999), in kindergarten numbers, phones or dates, so a match in an output is a real leak.
 */
import { expect } from 'vitest';
import { conversationStateSchema } from '../../src/conversation/core/state.ts';
import { makeIin } from '../../src/domain/iin.ts';
import type { PrismaClient } from '../../src/generated/prisma/client.ts';
import { submitQuestionnaire } from '../../src/services/questionnaire.ts';
import { answersFor, createApplication, createChild, createOpenSeasonWithKindergartens, createParent } from '../helpers/fixtures.ts';

const DAY = 86_400_000;

export interface Person {
  parentId: number;
  phone: string;
  /** Digits only, as WhatsApp's wa_id. */
  waId: string;
  parentIin: string;
  childIin: string;
  childNames: string[];
  queueNumbers: number[];
  applicationIds: number[];
  stopListedIds: number[];
}

export interface FuzzWorld {
  seasonId: number;
  kindergartenIds: number[];
  kindergartenNumbers: number[];
  actors: Person[];
  victims: Person[];
  everyone: Person[];
}

let queueSerial = 931_000;

async function person(db: PrismaClient, k: number, phone: string, kindergartenIds: number[], validUntil: Date, now: number): Promise<Person> {
  const parentIin = makeIin(new Date(Date.UTC(1984, 0, 1 + k * 3)), k % 2 ? 'F' : 'M', 300 + k);
  const childIin = makeIin(new Date(Date.UTC(2021, 0, 1 + k * 3)), 'M', 400 + k);
  const parent = await createParent(db, { phone, iin: parentIin, fullName: `Fuzz Parent ${k}` });
  const childNames = [`Zhanar Fuzzchild${k}a`, `Timur Fuzzchild${k}b`];
  const first = await createChild(db, parent.id, { iin: childIin, fullName: childNames[0] });
  const second = await createChild(db, parent.id, { fullName: childNames[1] });
  const apps = [
    await createApplication(db, {
      parentId: parent.id,
      childId: first.id,
      queueNumber: ++queueSerial,
      validUntil,
      kindergartenIds: [kindergartenIds[k % kindergartenIds.length]!],
    }),
    await createApplication(db, { parentId: parent.id, childId: second.id, queueNumber: ++queueSerial, validUntil }),
  ];
  const stop = await createApplication(db, {
    parentId: parent.id,
    childId: second.id,
    queueNumber: ++queueSerial,
    status: 'STOP_LISTED',
    validUntil: new Date(now - 20 * DAY),
    stopListedAt: new Date(now - 10 * DAY),
  });
  return {
    parentId: parent.id,
    phone,
    waId: phone.slice(1),
    parentIin,
    childIin,
    childNames,
    queueNumbers: [...apps, stop].map((a) => a.queueNumber),
    applicationIds: [...apps, stop].map((a) => a.id),
    stopListedIds: [stop.id],
  };
}

/** Two actors (their chats are linked by the test) and three victims, one of whom filed this season's questionnaire. */
export async function seedFuzzWorld(db: PrismaClient, at: Date = new Date()): Promise<FuzzWorld> {
  queueSerial = 931_000;
  const now = at.getTime();
  const { season, kindergartens } = await createOpenSeasonWithKindergartens(db, 'FZ', now);
  const ids = kindergartens.map((k) => k.id);
  const validUntil = new Date(now + 20 * DAY);
  const actors = [await person(db, 1, '+77015550001', ids, validUntil, now), await person(db, 2, '+77015550002', ids, validUntil, now)];
  const victims = [
    await person(db, 3, '+77015550003', ids, validUntil, now),
    await person(db, 4, '+77015550004', ids, validUntil, now),
    await person(db, 5, '+77015550005', ids, validUntil, now),
  ];
  // The second actor has filed this season's questionnaire: a forged restore would go through at once.
  for (const p of [victims[0]!, actors[1]!])
    await submitQuestionnaire(db, {
      parentId: p.parentId,
      season,
      answers: answersFor(kindergartens.slice(0, 2)),
      channel: 'TELEGRAM',
      now: new Date(now - DAY),
    });
  return {
    seasonId: season.id,
    kindergartenIds: ids,
    kindergartenNumbers: kindergartens.map((k) => k.number),
    actors,
    victims,
    everyone: [...actors, ...victims],
  };
}

/** Everything stored about some parents, in a stable order. */
export async function snapshotParents(db: PrismaClient, parentIds: number[]): Promise<unknown> {
  const where = { id: { in: parentIds } };
  return {
    parents: await db.parent.findMany({ where, orderBy: { id: 'asc' } }),
    children: await db.child.findMany({ where: { parentId: { in: parentIds } }, orderBy: { id: 'asc' } }),
    applications: await db.application.findMany({
      where: { parentId: { in: parentIds } },
      orderBy: { id: 'asc' },
      include: { choices: { orderBy: { rank: 'asc' } }, extensions: { orderBy: { id: 'asc' } } },
    }),
    questionnaires: await db.questionnaire.findMany({
      where: { parentId: { in: parentIds } },
      orderBy: { id: 'asc' },
      include: { kindergartens: { orderBy: { rank: 'asc' } } },
    }),
    links: await db.chatLink.findMany({ where: { parentId: { in: parentIds } }, orderBy: { id: 'asc' } }),
  };
}

/** Every row of conversation_states, each of which must pass the schema. */
export async function expectAllStatesValid(db: PrismaClient): Promise<number> {
  const rows = await db.conversationState.findMany({ select: { channel: true, chatId: true, state: true } });
  const invalid = rows
    .map((r) => ({ chat: `${r.channel}:${r.chatId}`, result: conversationStateSchema.safeParse(r.state) }))
    .filter((r) => !r.result.success)
    .map((r) => ({ chat: r.chat, issues: r.result.error!.issues.slice(0, 3) }));
  expect(invalid).toEqual([]);
  return rows.length;
}

/** Chat links only ever join an actor's chat to that actor. */
export async function expectLinksOwnChats(db: PrismaClient, channel: 'TELEGRAM' | 'WHATSAPP', chatOf: Map<number, string>): Promise<void> {
  const links = await db.chatLink.findMany({ where: { channel }, select: { chatId: true, parentId: true } });
  const wrong = links.filter((l) => chatOf.get(l.parentId) !== l.chatId);
  expect(wrong).toEqual([]);
}

/** An extension's questionnaire is always the application's own parent's. */
export async function expectExtensionsConsistent(db: PrismaClient): Promise<void> {
  const rows = await db.extension.findMany({ include: { application: { select: { parentId: true } }, questionnaire: { select: { parentId: true } } } });
  const crossed = rows.filter((r) => r.questionnaire !== null && r.questionnaire.parentId !== r.application.parentId).map((r) => r.id);
  expect(crossed).toEqual([]);
}

/** The personal data of `owner` (queue numbers, child names) that must never appear in another chat. */
export function secretsOf(p: Person): string[] {
  return [...p.queueNumbers.map(String), ...p.childNames];
}

/** Digits grouped with spaces (a locale's number format) must not hide a queue number. */
const normalise = (s: string) => s.replace(/[\s\u00a0\u202f]/g, '');

/** Leaks: secrets of people other than `self` found in the texts sent to a chat. */
export function leaksIn(texts: string[], self: Person | null, everyone: Person[]): string[] {
  const joined = normalise(texts.join('\n'));
  const found: string[] = [];
  for (const p of everyone) {
    if (p === self) continue;
    for (const s of secretsOf(p)) if (joined.includes(normalise(s))) found.push(`parent ${p.parentId}: ${s}`);
  }
  return found;
}
