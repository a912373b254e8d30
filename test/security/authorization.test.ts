/**
 * Authorization audit: a chat linked to parent A tries every action that touches parent data with
 * ids of parent B (and of parents no chat knows) — through the conversation runtime with forged
 * button inputs, through a forged stored conversation, and effect by effect. Nothing of B changes,
 * A gets a neutral answer, and nothing A is shown names B's applications or children. A static
 * check keeps it so: no effect names a parent, and executeEffect takes the parent from the link.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { systemClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config/env.ts';
import { decodeAction, encodeAction } from '../../src/conversation/core/action-codec.ts';
import type { Effect } from '../../src/conversation/core/effects.ts';
import { executeEffect } from '../../src/conversation/runtime/execute-effect.ts';
import type { Action, Input, Output } from '../../src/conversation/core/io.ts';
import { ConversationRuntime, type ChatRef } from '../../src/conversation/runtime/runtime.ts';
import { loadConversation, saveConversation } from '../../src/conversation/runtime/store.ts';
import { PROJECT_ROOT } from '../../src/db/migrations/paths.ts';
import { createLogger } from '../../src/log.ts';
import { answersFor } from '../helpers/fixtures.ts';
import { TEST_DB_KINDS } from '../../test-support/db.ts';
import { useDatabase } from '../services/use-database.ts';
import { leaksIn, seedFuzzWorld, snapshotParents, type FuzzWorld, type Person } from '../fuzz/world.ts';

const config = loadConfig({ SEED_DEMO: 'false', LOG_LEVEL: 'silent' });

/** Every key and parameter of the outputs, flattened to text (what any channel could render). */
const flat = (outputs: Output[]): string => JSON.stringify(outputs);

describe.each(TEST_DB_KINDS)('authorization audit (%s)', (kind) => {
  const prisma = useDatabase(kind);

  /** Actor 1 has this season's questionnaire on file (a restore it may do goes through at once); actor 0 has not. */
  async function setUp(actor: 0 | 1 = 1) {
    const db = prisma();
    const world = await seedFuzzWorld(db);
    const a = world.actors[actor]!;
    const others = world.everyone.filter((p) => p !== a);
    const runtime = new ConversationRuntime({ prisma: db, config, clock: systemClock, logger: createLogger('silent') });
    const chat: ChatRef = { channel: 'TELEGRAM', chatId: 'chat-of-A' };
    const outputs: Output[] = [];
    const send = async (input: Input) => {
      const reply = await runtime.handle(chat, input);
      outputs.push(...reply.outputs);
      return reply;
    };
    /** A button press with the seq of the screen shown now (a forgery the state machine accepts as current). */
    const press = async (action: Action) => {
      const { state } = await loadConversation(db, chat.channel, chat.chatId);
      return send({ type: 'action', seq: state.seq, action });
    };
    await send({ type: 'start' });
    await press({ type: 'choose', value: 'ru' });
    await send({ type: 'contact', phone: a.phone, own: true });
    const linked = await send({ type: 'text', text: a.parentIin });
    expect(linked.state).toMatchObject({ linked: true, screen: 'menu' });
    const before = await snapshotParents(
      db,
      others.map((p) => p.parentId),
    );
    const beforeA = await snapshotParents(db, [a.parentId]);
    return { db, world, a, others, runtime, chat, outputs, send, press, before, beforeA };
  }

  const expectNoLeak = (outputs: Output[], a: Person, world: FuzzWorld) => expect(leaksIn([flat(outputs)], a, world.everyone)).toEqual([]);

  it('restoring another parent\'s stop-listed application with a forged button: "not found", nothing changes', async () => {
    const t = await setUp();
    for (const victim of t.others) {
      for (const id of victim.applicationIds) {
        await t.send({ type: 'command', name: 'restore' });
        // Refused at the first step, with the text of a missing one; the confirmation is never shown.
        for (const value of [`a${id}`, `a${id}_77`]) {
          const n = t.outputs.length;
          const chosen = await t.press({ type: 'choose', value });
          expect(chosen.state).toMatchObject({ screen: 'stopList', restore: null });
          expect(flat(t.outputs.slice(n))).toContain('restore.notFound');
          expect(flat(t.outputs.slice(n))).not.toContain('restore.confirm');
        }
      }
    }
    expect(
      await snapshotParents(
        t.db,
        t.others.map((p) => p.parentId),
      ),
    ).toEqual(t.before);
    expect(await snapshotParents(t.db, [t.a.parentId])).toEqual(t.beforeA);
    expectNoLeak(t.outputs, t.a, t.world);
  });

  it("a forged stored conversation pointing at another parent's application restores nothing", async () => {
    const t = await setUp();
    const victim = t.others.find((p) => p !== t.world.actors[0])!;
    const { state, version } = await loadConversation(t.db, t.chat.channel, t.chat.chatId);
    const forged = { ...state, screen: 'restoreConfirm' as const, restore: { id: victim.stopListedIds[0]!, queueNumber: 5 } };
    expect(await saveConversation(t.db, t.chat.channel, t.chat.chatId, forged, version)).toBe(true);
    const reply = await t.send({ type: 'action', seq: forged.seq, action: { type: 'choose', value: 'confirm' } });
    expect(flat(reply.outputs)).toContain('restore.notFound');
    expect(
      await snapshotParents(
        t.db,
        t.others.map((p) => p.parentId),
      ),
    ).toEqual(t.before);
  });

  it('a forged draft naming a kindergarten that does not exist is refused whole: nothing is filed or extended', async () => {
    const t = await setUp();
    const kgs = await t.db.kindergarten.findMany({ take: 1 });
    const { state, version } = await loadConversation(t.db, t.chat.channel, t.chat.chatId);
    const answers = answersFor(kgs);
    const draft = {
      ...state.draft,
      ...answers,
      kindergartens: [{ id: 987_654_321, number: 9, nameKk: 'x', nameRu: 'x' }],
      sectionsDone: true,
      digitalDone: true,
    };
    await saveConversation(t.db, t.chat.channel, t.chat.chatId, { ...state, screen: 'summary', draft }, version);
    const reply = await t.send({ type: 'action', seq: state.seq, action: { type: 'choose', value: 'confirm' } });
    expect(flat(reply.outputs)).toContain('common.error');
    expect(await snapshotParents(t.db, [t.a.parentId])).toEqual(t.beforeA);
    expect(
      await snapshotParents(
        t.db,
        t.others.map((p) => p.parentId),
      ),
    ).toEqual(t.before);
  });

  it('forged ticks of kindergartens not on the page, or that do not exist, are stale', async () => {
    const t = await setUp();
    await t.send({ type: 'command', name: 'extend' });
    // A's questionnaire on file opens at the summary: its Edit of question 1.
    await t.press({ type: 'choose', value: 'e1' });
    const { state } = await loadConversation(t.db, t.chat.channel, t.chat.chatId);
    expect(state.screen).toBe('q1');
    const chosen = state.draft.kindergartens;
    const visible = new Set(state.kg.visible.map((k) => k.id));
    const hidden = (await t.db.kindergarten.findMany()).map((k) => k.id).filter((id) => !visible.has(id));
    for (const value of [...hidden.map(String), '987654321', '0', '-1']) {
      const reply = await t.press({ type: 'toggle', value, on: true });
      expect(flat(reply.outputs)).toContain('common.stale');
      expect(reply.state.draft.kindergartens).toEqual(chosen);
    }
  });

  it("every screen A can open shows only A's data; A's extension touches only A's applications", async () => {
    const t = await setUp(0);
    for (const name of ['applications', 'questionnaire', 'restore', 'extend', 'menu'] as const) await t.send({ type: 'command', name });
    // A fills the questionnaire by the buttons shown and extends.
    await t.send({ type: 'command', name: 'extend' });
    for (let i = 0; i < 40; i++) {
      const { state } = await loadConversation(t.db, t.chat.channel, t.chat.chatId);
      if (state.screen === 'menu') break;
      const last = [...t.outputs].reverse().find((o) => o.kind === 'message' && o.buttons.length > 0);
      if (last?.kind !== 'message') break;
      const option = last.buttons.find((b) => b.role === 'option' && !b.selected && !(b.action.type === 'toggle' && b.action.value === 'other'));
      const pick =
        last.buttons.find((b) => b.action.type === 'choose' && b.action.value === 'confirm') ??
        (state.screen === 'q1' && state.draft.kindergartens.length === 0 ? option : undefined) ??
        last.buttons.find((b) => b.action.type === 'done') ??
        option ??
        last.buttons[0]!;
      await t.send({ type: 'action', seq: last.seq, action: pick.action });
    }
    expect(flat(t.outputs)).toContain('extend.done');
    const extended = await t.db.application.findMany({ where: { id: { in: t.a.applicationIds }, status: 'ACTIVE' } });
    expect(extended.every((x) => x.validUntil.getTime() > Date.now() + 300 * 86_400_000)).toBe(true);
    expect(
      await snapshotParents(
        t.db,
        t.others.map((p) => p.parentId),
      ),
    ).toEqual(t.before);
    expectNoLeak(t.outputs, t.a, t.world);
  });

  it('effect by effect: a linked chat reaches only its own parent, whatever ids the effect carries', async () => {
    const t = await setUp();
    const ctx = { prisma: t.db, config, channel: 'TELEGRAM' as const, chatId: t.chat.chatId, clock: systemClock };
    for (const victim of t.others) {
      for (const applicationId of victim.applicationIds) {
        expect(await executeEffect(ctx, { type: 'restoreApplication', applicationId })).toMatchObject({ type: 'restoreResult', outcome: 'notFound' });
      }
    }
    const own = new Set(t.a.applicationIds);
    const apps = await executeEffect(ctx, { type: 'loadApplications' });
    expect(apps?.type === 'applicationsLoaded' && apps.items.every((i) => own.has(i.id))).toBe(true);
    const stop = await executeEffect(ctx, { type: 'loadStopListed' });
    expect(stop?.type === 'stopListedLoaded' && stop.items.map((i) => i.id)).toEqual(t.a.stopListedIds);
    const context = await executeEffect(ctx, { type: 'loadQuestionnaireContext' });
    expect(leaksIn([JSON.stringify([apps, stop, context])], t.a, t.world.everyone)).toEqual([]);
    expect(
      await snapshotParents(
        t.db,
        t.others.map((p) => p.parentId),
      ),
    ).toEqual(t.before);

    // The same effects from a chat linked to nobody: "not linked", nothing read.
    const stranger = { ...ctx, chatId: 'nobody' };
    const effects: Effect[] = [
      { type: 'loadApplications' },
      { type: 'loadQuestionnaireContext' },
      { type: 'loadStopListed' },
      { type: 'restoreApplication', applicationId: t.others[0]!.stopListedIds[0]! },
    ];
    for (const e of effects) expect(await executeEffect(stranger, e)).toEqual({ type: 'notLinked' });
  });

  it('statically: no effect names a parent, and executeEffect takes the parent from the chat link', () => {
    // Type level: no member of the Effect union has a parentId (tsc fails here otherwise).
    expectTypeOf<Extract<Effect, { parentId: unknown }>>().toBeNever();
    const effects = fs.readFileSync(path.join(PROJECT_ROOT, 'src/conversation/core/effects.ts'), 'utf8');
    const effectType = effects
      .slice(effects.indexOf('export type Effect ='), effects.indexOf('export type EffectResult'))
      .replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    expect(effectType).toContain("type: 'restoreApplication'");
    expect(effectType).not.toMatch(/parent/i);

    const source = fs.readFileSync(path.join(PROJECT_ROOT, 'src/conversation/runtime/execute-effect.ts'), 'utf8');
    // The only way to a parent: the link of (channel, chatId) of the context.
    expect(source).toMatch(
      /const parent = await loadParentContext\(prisma, channel, chatId, now\);\s*if \(!parent\) return \{ type: 'notLinked' \};\s*return executeParentEffect\(ctx, parent\.parentId, parent\.season, now, effect\);/,
    );
    expect(source).not.toMatch(/effect\.parentId|input\.parentId|ctx\.parentId/);
    const parentPart = source.slice(source.indexOf('async function executeParentEffect'));
    // Every service call that takes a parent gets the one resolved from the link.
    for (const call of parentPart.matchAll(
      /(listApplications|loadQuestionnaireStatus|submitQuestionnaire|listStopListed|hasQuestionnaire|restoreApplication)\(prisma,[^;]*?\)/gs,
    )) {
      expect(call[0]).toMatch(/\bparentId\b/);
    }
    // Button data carries only a seq and an action: no parent, no chat.
    expect(decodeAction(encodeAction(3, { type: 'choose', value: 'a12_34' }))).toEqual({ seq: 3, action: { type: 'choose', value: 'a12_34' } });
  });
});
