/**
 * A scripted console-chat session over the real core and database: identification with a demo
 * parent, the six questions, extension, restore — then the database is checked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleChat } from '../../bots/console/chat.ts';
import { assembleCore, type Core } from '../../src/app.ts';
import { manualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config/env.ts';
import { DEMO_PARENTS, seedDemo } from '../../src/db/seed/index.ts';
import { createLogger } from '../../src/log.ts';
import { createTestDatabase, TEST_DB_KINDS } from '../../test-support/db.ts';

const NOW = new Date('2026-11-25T06:00:00.000Z');

describe.each(TEST_DB_KINDS)('console chat on %s', (kind) => {
  let core: Core;

  beforeAll(async () => {
    const db = await createTestDatabase(kind);
    await seedDemo(db.prisma, { now: NOW, parents: 60, kindergartens: 30 });
    core = await assembleCore(db, loadConfig({}), { clock: manualClock(NOW), logger: createLogger('silent'), seedDemo: false });
  });
  afterAll(() => core?.close());

  /** Types a line and returns the screen; `pick` finds the numbered button whose label contains a text. */
  const session = (chatId: string) => {
    const chat = new ConsoleChat(core.runtime, core.translator, chatId);
    let screen = '';
    const send = async (line: string) => (screen = await chat.send(line));
    const pick = (label: string) => {
      const m = screen
        .split('\n')
        .map((l) => /^\s+(\d+)\) (.*)$/.exec(l))
        .find((x) => x && x[2]!.includes(label));
      if (!m) throw new Error(`no button "${label}" on screen:\n${screen}`);
      return send(m[1]!);
    };
    return {
      chat,
      send,
      pick,
      start: async () => (screen = await chat.start()),
      get screen() {
        return screen;
      },
    };
  };

  it('identification → questionnaire → extension, stored in the database', async () => {
    const parent = DEMO_PARENTS[0]!;
    const s = session('e2e-kk');
    await s.start();
    expect(s.screen).toContain('Тілді таңдаңыз / Выберите язык');
    await s.pick('Қазақша');
    expect(s.screen).toContain('Нөмірмен бөлісу');
    await s.send(parent.phone);
    expect(s.screen).toContain('ЖСН');
    await s.send('000000000000');
    expect(s.screen).toMatch(/ЖСН/);
    await s.send(parent.iin);
    expect(s.screen).toContain('Басты мәзір');

    await s.pick('Өтініштерді ұзарту');
    expect(s.screen).toContain('Сұрақ 1/6');
    await s.send('№1');
    await s.pick('№ 1 ');
    expect(s.screen).toContain('Сіздің таңдауыңыз (реті бойынша): 1. № 1 ');
    await s.pick('Дайын');
    expect(s.screen).toContain('Сұрақ 2/6');
    await s.pick('Мемлекеттік');
    await s.pick('Құны');
    await s.pick('Қазақ тілі');
    await s.pick('30\u00a0000 ₸ дейін');
    await s.send('4, 13');
    expect(s.screen).toContain('таңбаға дейін');
    await s.send('Жүзу');
    await s.pick('Дайын');
    expect(s.screen).toContain('Сұрақ 6/6');
    await s.pick('Артқа');
    expect(s.screen).toContain('Сұрақ 5/6');
    await s.pick('Дайын');
    await s.pick('Дайын (ештеңе таңдалмады)');
    expect(s.screen).toContain('Жауаптарыңызды тексеріңіз');
    expect(s.screen).toContain('басқа: «Жүзу»');
    await s.pick('4-сұрақты өзгерту');
    await s.pick('45\u00a0000 ₸ дейін');
    expect(s.screen).toContain('4. Айлық төлем: 45\u00a0000 ₸ дейін');
    await s.pick('Өтініштерді ұзарту (2)');
    expect(s.screen).toMatch(/2 өтініш \d\d\.\d\d\.\d{4} дейін ұзартылды/);

    const prisma = core.db.prisma;
    const dbParent = await prisma.parent.findUniqueOrThrow({ where: { iin: parent.iin } });
    const season = await prisma.season.findFirstOrThrow({ orderBy: { opensAt: 'desc' } });
    const apps = await prisma.application.findMany({ where: { parentId: dbParent.id } });
    expect(apps.length).toBe(2);
    for (const a of apps) expect(a.validUntil.toISOString()).toBe(season.validUntil.toISOString());
    const q = await prisma.questionnaire.findUniqueOrThrow({
      where: { parentId_seasonId: { parentId: dbParent.id, seasonId: season.id } },
      include: { kindergartens: { include: { kindergarten: true } } },
    });
    expect(q).toMatchObject({
      ownership: 'STATE',
      ownershipReason: 'COST',
      language: 'KK',
      maxPayment: 45000,
      sections: ['chess', 'other'],
      sectionsOther: 'Жүзу',
      digital: [],
      channel: 'CONSOLE',
    });
    expect(q.kindergartens.map((k) => k.kindergarten.number)).toEqual([1]);
    expect(await prisma.extension.count({ where: { questionnaireId: q.id, kind: 'EXTEND' } })).toBe(2);
    const link = await prisma.chatLink.findUniqueOrThrow({ where: { channel_chatId: { channel: 'CONSOLE', chatId: 'e2e-kk' } } });
    expect(link.parentId).toBe(dbParent.id);
  });

  it("restores a stop-listed application after this season's questionnaire", async () => {
    const parent = DEMO_PARENTS[1]!;
    const s = session('e2e-ru');
    await s.start();
    await s.pick('Русский');
    await s.send(parent.phone);
    await s.send(parent.iin);
    await s.pick('Мои заявления');
    expect(s.screen).toContain('в стоп-листе с');
    await s.pick('Восстановить из стоп-листа');
    await s.pick('Восстановить №');
    await s.pick('Да, восстановить');
    expect(s.screen).toContain('сначала заполните анкету');
    expect(s.screen).toContain('Вопрос 1 из 6');
    await s.send('2');
    await s.pick('Готово');
    await s.pick('Любая');
    await s.pick('Русский');
    await s.pick('до 10\u00a0000 ₸');
    await s.pick('Готово');
    await s.pick('Готово');
    await s.pick('Продлить заявление (1)');
    expect(s.screen).toContain('Восстановить заявление №');
    await s.pick('Да, восстановить');
    expect(s.screen).toContain('восстановлено в очереди');

    const prisma = core.db.prisma;
    const dbParent = await prisma.parent.findUniqueOrThrow({ where: { iin: parent.iin } });
    const apps = await prisma.application.findMany({ where: { parentId: dbParent.id } });
    expect(apps.every((a) => a.status === 'ACTIVE')).toBe(true);
    expect(apps.filter((a) => a.restoredAt !== null)).toHaveLength(1);
    expect(await prisma.extension.count({ where: { application: { parentId: dbParent.id }, kind: 'RESTORE' } })).toBe(1);
  });
});
