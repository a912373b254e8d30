/**
 * The console as an operator uses it, in headless Chromium: signing in, the dashboard's numbers
 * against the database, seasons, the support desk, users, the audit log, the language switch and
 * signing out. One browser for the file; screenshots in CONSOLE_SHOTS (default a temp folder).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentSeason } from '../../src/campaign/seasons.ts';
import { DEMO_PARENTS } from '../../src/db/seed/index.ts';
import { makeIin } from '../../src/domain/iin.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findChromium, launchBrowser, login, pageBook, person, shot, startConsole, type ConsoleWorld } from '../../test-support/console-harness.ts';

const chromiumPath = findChromium();
if (!chromiumPath) console.warn('console pages: chromium not found — skipped (apt-get install -y chromium)');

const digits = (s: string | null) => Number((s ?? '').replace(/\D/g, ''));

/** On the import page: the kind and the file chosen, checked, and the check's result shown. */
async function checkUpload(page: Page, kind: string, file: string): Promise<void> {
  await page.getByLabel('Что загружаем').selectOption(kind);
  await page.getByLabel('CSV-файл').setInputFiles(file);
  await page.getByRole('button', { name: 'Проверить файл' }).click();
  await page.waitForSelector('[data-k=checked]');
}

describe.skipIf(!chromiumPath)('the operator console in Chromium', () => {
  let world: ConsoleWorld;
  let browser: Browser;
  const { open, expectClean } = pageBook(() => browser);

  beforeAll(async () => {
    world = await startConsole('embedded');
    await person(world.core, 'aigerim', 'ADMIN');
    await person(world.core, 'operator1', 'OPERATOR');
    await person(world.core, 'viewer1', 'VIEWER');
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    // No page may have had a script error or a CSP violation, and no parent's text may have run as script.
    expectClean();
    await browser?.close();
    await world?.close();
  });

  it("a wrong password is refused in words; the right one opens the dashboard, whose numbers are the database's", async () => {
    const { page } = await open();
    await login(page, world.base, 'aigerim', 'not the password');
    expect(await page.getByRole('alert').textContent()).toBe('Неверное имя пользователя или пароль.');
    await shot(page, 'login-refused');
    await login(page, world.base, 'aigerim');
    expect(new URL(page.url()).pathname).toBe('/admin/dashboard');
    const db = world.core.db.prisma;
    const season = (await currentSeason(db, new Date()))!;
    const [row] = await db.$queryRaw<{ needing: number; stop: number; linked: number }[]>`
      SELECT (SELECT count(*)::int FROM applications WHERE status = 'ACTIVE' AND "validUntil" < ${season.validUntil}) AS needing,
             (SELECT count(*)::int FROM applications WHERE status = 'STOP_LISTED') AS stop,
             (SELECT count(DISTINCT "parentId")::int FROM chat_links) AS linked`;
    expect(digits(await page.locator('[data-k=needing]').textContent())).toBe(row!.needing);
    expect(digits(await page.locator('[data-k=stopListed]').textContent())).toBe(row!.stop);
    expect(digits(await page.locator('[data-k=linked]').textContent())).toBe(row!.linked);
    expect(row!.needing).toBeGreaterThan(0);
    expect(await page.getByRole('heading', { name: `Сезон ${season.code}` }).isVisible()).toBe(true);
    await shot(page, 'dashboard');
  });

  it('the dashboard refreshes itself while open', async () => {
    const { page } = await open();
    // The page's timers on a fake clock: fifteen seconds pass at once.
    await page.clock.install();
    await login(page, world.base, 'viewer1');
    expect(await page.locator('#live').getAttribute('data-refreshed')).toBeNull();
    await page.clock.runFor(16_000);
    // A locator wait, not waitForFunction: a string predicate is re-evaluated by eval(), which the
    // console's CSP (no 'unsafe-eval') refuses on every poll after the first.
    await page.locator('#live[data-refreshed]').waitFor({ state: 'attached', timeout: 10_000 });
    expect(await page.locator('[data-k=needing]').count()).toBe(1);
  });
  it('seasons: a wrong date is pointed out next to its field, a right form creates the season, and the audit log has it', async () => {
    const { page } = await open();
    await login(page, world.base, 'operator1');
    await page.getByRole('link', { name: 'Сезоны' }).click();
    await page.getByLabel('Код').fill('2027');
    await page.getByLabel('Открытие').fill('2027-11-01');
    await page.getByLabel('Срок продления').fill('2027-10-01');
    await page.getByLabel('Продлевать до').fill('2028-12-31');
    await page.getByRole('button', { name: 'Сохранить' }).click();
    expect(await page.locator('#err-deadline').textContent()).toBe('Срок продления должен быть позже открытия.');
    expect(await page.getByLabel('Срок продления').getAttribute('aria-invalid')).toBe('true');
    await shot(page, 'seasons-error');
    await page.getByLabel('Срок продления').fill('2027-12-31');
    await page.getByRole('button', { name: 'Сохранить' }).click();
    expect(await page.getByRole('status').textContent()).toContain('Сезон 2027 создан.');
    expect(await page.locator('tbody tr', { hasText: '2027-11-01 00:00' }).count()).toBe(1);
    await shot(page, 'seasons');
    const saved = await world.core.db.prisma.season.findUniqueOrThrow({ where: { code: '2027' } });
    expect(saved.deadline.toISOString()).toBe('2027-12-31T18:59:59.000Z');
    await page.getByRole('link', { name: 'Журнал действий' }).click();
    await page.getByLabel('Действие').fill('season.');
    await page.getByRole('button', { name: 'Показать' }).click();
    const row = page.locator('tr[data-action="season.create"]');
    expect(await row.count()).toBe(1);
    expect(await row.textContent()).toContain('operator1');
    await shot(page, 'audit');
  });

  it('support desk: a parent found by phone; an operator sees the IIN and lifts the identification lock', async () => {
    const demo = DEMO_PARENTS[0]!;
    const db = world.core.db.prisma;
    const { maxAttempts } = world.core.config.identification;
    for (let i = 0; i < maxAttempts; i++) await db.identificationFailure.create({ data: { channel: 'TELEGRAM', chatId: '555', phone: demo.phone } });
    const { page } = await open();
    await login(page, world.base, 'operator1');
    await page.getByRole('link', { name: 'Родители' }).click();
    await page.getByLabel('Телефон, ИИН или номер в очереди').fill('+7 701 000 00 01');
    await page.getByRole('button', { name: 'Найти' }).click();
    expect(await page.locator('[data-k=name]').textContent()).toBe(demo.fullName);
    expect(await page.locator('[data-k=iin]').textContent()).toBe(demo.iin);
    expect(await page.locator('[data-k=lock]').textContent()).toContain('заблокирован до');
    await shot(page, 'parent-locked');
    await page.getByRole('button', { name: 'Снять блокировку' }).click();
    expect(await page.getByRole('status').textContent()).toContain('Блокировка снята.');
    expect(await page.locator('[data-k=lock]').textContent()).toContain('Не заблокирована');
    expect(await db.identificationFailure.count({ where: { phone: demo.phone } })).toBe(0);
    const audited = await db.auditEntry.findFirst({ where: { action: 'parent.unlock' } });
    expect(audited?.username).toBe('operator1');
    await shot(page, 'parent');
  });

  it('a viewer sees the parent with IIN and phone masked and no action buttons', async () => {
    const demo = DEMO_PARENTS[0]!;
    const { page } = await open();
    await login(page, world.base, 'viewer1');
    await page.goto(`${world.base}/admin/parents?q=${demo.iin}`);
    const iin = await page.locator('[data-k=iin]').textContent();
    expect(iin).not.toContain(demo.iin);
    expect(iin).toMatch(/^\d{2,4}•+\d{2,4}$/);
    expect(await page.locator('[data-k=phone]').textContent()).not.toBe(demo.phone);
    expect(await page.getByRole('button', { name: 'Снять блокировку' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Отправить напоминание ещё раз' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Пользователи' }).count()).toBe(0);
    await shot(page, 'parent-viewer');
  });

  it('a name written with markup is shown as text, and no script of it runs', async () => {
    const db = world.core.db.prisma;
    const evil = '<script>alert(1)</script><img src=x onerror=alert(2)>';
    const parent = await db.parent.create({ data: { iin: '880101300999', fullName: evil, phone: '+77019998877' } });
    const { page, dialogs } = await open();
    await login(page, world.base, 'operator1');
    await page.goto(`${world.base}/admin/parents/${parent.id}`);
    expect(await page.locator('[data-k=name]').textContent()).toBe(evil);
    expect(await page.locator('img[src=x]').count()).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it('users: an admin adds a person, whose password is shown once and works; a role change is audited', async () => {
    const { page } = await open();
    await login(page, world.base, 'aigerim');
    await page.getByRole('link', { name: 'Пользователи' }).click();
    await page.getByLabel('Имя пользователя').fill('dana.k');
    await page.getByLabel('Роль').last().selectOption('VIEWER');
    await page.getByRole('button', { name: 'Создать' }).click();
    const password = (await page.locator('[data-k=password]').textContent())!;
    expect(password).toMatch(/^[A-Za-z2-9]{16}$/);
    await shot(page, 'users');
    const row = page.locator('tr[data-user="dana.k"]');
    await row.getByRole('combobox').selectOption('OPERATOR');
    await row.getByRole('button', { name: 'Сменить' }).click();
    expect(await page.getByRole('status').textContent()).toContain('Сохранено.');
    const db = world.core.db.prisma;
    expect((await db.operatorUser.findUniqueOrThrow({ where: { username: 'dana.k' } })).role).toBe('OPERATOR');
    expect(await db.auditEntry.count({ where: { action: { in: ['user.create', 'user.role'] }, objectId: 'dana.k', username: 'aigerim' } })).toBe(2);
    const other = await open();
    await login(other.page, world.base, 'dana.k', password);
    expect(new URL(other.page.url()).pathname).toBe('/admin/dashboard');
  });

  it('the language switch turns the console into Kazakh and back; signing out leaves the pages behind a login', async () => {
    const { page } = await open();
    await login(page, world.base, 'viewer1');
    await page.getByRole('button', { name: 'Қаз' }).click();
    expect(await page.locator('h1').textContent()).toBe('Науқанға шолу');
    expect(await page.getByRole('link', { name: 'Ата-аналар' }).count()).toBe(1);
    await shot(page, 'dashboard-kk');
    await page.getByRole('button', { name: 'Рус' }).click();
    expect(await page.locator('h1').textContent()).toBe('Обзор кампании');
    await page.getByRole('button', { name: 'Выйти' }).click();
    expect(new URL(page.url()).pathname).toBe('/admin/login');
    await page.goto(`${world.base}/admin/parents`);
    expect(new URL(page.url()).pathname).toBe('/admin/login');
  });
  it('registry import: a file with bad rows is checked and its rejections shown (and downloadable); the good file applied, with progress, is in the database', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kq-upload-'));
    const iins = [1, 2, 3].map((n) => makeIin(new Date(`1991-03-0${n}T00:00:00Z`), 'F', 900 + n));
    const bad = path.join(dir, 'parents-bad.csv');
    writeFileSync(
      bad,
      `iin;full_name;phone;locale\n${iins[0]};Жанна Бекова;+7 705 111 22 01;kk\n123;Нет ИИН;+7 705 111 22 02;ru\n${iins[1]};Без телефона;;ru\n`,
    );
    const good = path.join(dir, 'parents-good.csv');
    writeFileSync(good, `iin;full_name;phone;locale\n${iins[0]};Жанна Бекова;+7 705 111 22 01;kk\n${iins[2]};Сауле Омарова;8 (705) 111-22-03;ru\n`);
    const { page } = await open();
    await login(page, world.base, 'operator1');
    await page.getByRole('link', { name: 'Загрузка реестра' }).click();
    await checkUpload(page, 'parents', bad);
    expect(await page.locator('[data-k=checked]').textContent()).toContain('Строк: 3; будут записаны: 1; отклонены: 2.');
    expect(await page.locator('tr[data-line="3"]').textContent()).toContain('123');
    expect(await page.locator('tr[data-line="4"]').count()).toBe(1);
    const download = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Скачать отклонённые строки (CSV)' }).click()]).then(
      ([d]) => d,
    );
    const csv = await (await import('node:fs/promises')).readFile((await download.path())!, 'utf8');
    expect(csv.split('\n').filter(Boolean)).toHaveLength(3);
    await shot(page, 'import-rejected');
    const db = world.core.db.prisma;
    expect(await db.parent.count({ where: { iin: { in: iins } } })).toBe(0);

    await page.getByRole('link', { name: '← Все загрузки' }).click();
    await checkUpload(page, 'parents', good);
    expect(await page.locator('[data-k=checked]').textContent()).toContain('будут записаны: 2; отклонены: 0.');
    expect(await db.parent.count({ where: { iin: { in: iins } } })).toBe(0);
    await page.getByRole('button', { name: 'Применить' }).click();
    await page.waitForSelector('[data-k=applied]', { timeout: 30_000 });
    expect(await page.locator('[data-k=applied]').textContent()).toContain('Записано строк: 2; отклонено: 0.');
    await shot(page, 'import-applied');
    expect((await db.parent.findUniqueOrThrow({ where: { iin: iins[2]! } })).phone).toBe('+77051112203');
    expect(await db.auditEntry.count({ where: { action: { in: ['import.check', 'import.apply', 'import.applied'] } } })).toBe(4);
  });
  it('registry import: an applied applications file with a referral says how many registry events and notices it made (ru and kk), and where the notices show', async () => {
    const db = world.core.db.prisma;
    const kindergarten = await db.kindergarten.findFirstOrThrow({ orderBy: { number: 'asc' } });
    const iin = makeIin(new Date('1990-04-04T00:00:00Z'), 'F', 950);
    const parent = await db.parent.create({ data: { iin, fullName: 'Гульнар Сапарова', phone: '+77051112299', locale: 'ru' } });
    // The parent talks to the bot on both channels: one notice per chat.
    await db.chatLink.createMany({
      data: [
        { channel: 'TELEGRAM', chatId: 'tg-referral', parentId: parent.id, locale: 'ru' },
        { channel: 'WHATSAPP', chatId: '77051112299', parentId: parent.id, locale: 'ru' },
      ],
    });
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'kq-upload-')), 'applications-referral.csv');
    writeFileSync(
      file,
      'queue_number;parent_iin;child_iin;child_full_name;registered_at;status;valid_until;choices;referral_kindergarten;referral_group;referral_accept_by\n' +
        `9900001;${iin};${makeIin(new Date('2022-02-02T00:00:00Z'), 'M', 951)};Арман Сапаров;10.05.2023;направлено;2030-10-01;${kindergarten.number};${kindergarten.number};Балапан;20.08.2030\n`,
    );
    const { page } = await open();
    await login(page, world.base, 'operator1');
    await page.getByRole('link', { name: 'Загрузка реестра' }).click();
    await checkUpload(page, 'applications', file);
    // The check rolls back before the merge: no event yet, and no count of them shown.
    expect(await page.locator('[data-k=events]').count()).toBe(0);
    await page.getByRole('button', { name: 'Применить' }).click();
    await page.waitForSelector('[data-k=applied]', { timeout: 30_000 });
    expect(await page.locator('[data-k=applied]').textContent()).toContain('Записано строк: 1; отклонено: 0.');
    expect(await page.locator('[data-k=events]').textContent()).toBe('Событий реестра (изменений для родителей): 1; уведомлений поставлено: 2.');
    expect(await db.registryEvent.findMany({ where: { parentId: parent.id }, select: { kind: true } })).toEqual([{ kind: 'REFERRAL_ISSUED' }]);
    expect(await db.outbox.count({ where: { parentId: parent.id, kind: 'REGISTRY_REFERRAL_ISSUED' } })).toBe(2);
    const applied = await db.auditEntry.findFirstOrThrow({ where: { action: 'import.applied' }, orderBy: { id: 'desc' } });
    expect(applied.after).toMatchObject({ kind: 'applications', result: { written: 1, events: 1, notices: 2 } });
    await shot(page, 'import-applied-events');

    await page.getByRole('button', { name: 'Қаз' }).click();
    expect(await page.locator('[data-k=events]').textContent()).toBe('Тізілім оқиғалары (ата-аналарға арналған өзгерістер): 1; қойылған хабарламалар: 2.');
    await shot(page, 'import-applied-events-kk');
    await page.getByRole('button', { name: 'Рус' }).click();

    // The link leads to the parents, whose card lists the notices planned.
    await page.locator('[data-k=noticesWhere]').getByRole('link', { name: 'Родители' }).click();
    await page.getByLabel('Телефон, ИИН или номер в очереди').fill(iin);
    await page.getByRole('button', { name: 'Найти' }).click();
    expect(await page.locator('[data-k=name]').textContent()).toBe('Гульнар Сапарова');
    expect(await page.locator('tr', { hasText: 'направление выдано' }).allTextContents()).toEqual([
      expect.stringContaining('WHATSAPP'),
      expect.stringContaining('TELEGRAM'),
    ]);
    await shot(page, 'parent-registry-notices');
  });

  it("statistics: the report for the season, a district's demand alone, the CSV downloads; a parent's Other text with markup is shown as text", async () => {
    const db = world.core.db.prisma;
    const season = (await currentSeason(db, new Date()))!;
    const evil = '<script>alert(1)</script><img src=x onerror=alert(2)>';
    const q = await db.questionnaire.findFirstOrThrow({ where: { seasonId: season.id } });
    await db.questionnaire.update({ where: { id: q.id }, data: { sectionsOther: evil } });
    const { page, dialogs } = await open();
    await login(page, world.base, 'viewer1');
    await page.getByRole('link', { name: 'Статистика' }).click();
    // A count does not wait: the page must have loaded (a click waits only for the navigation to begin).
    await page.waitForURL(/\/admin\/stats/);
    expect(await page.locator('.report td', { hasText: '<script>alert(1)</script>' }).count()).toBe(1);
    expect(await page.locator('.report img').count()).toBe(0);
    expect(dialogs).toEqual([]);
    const charts = await page.locator('.report svg').count();
    expect(charts).toBeGreaterThan(3);
    await shot(page, 'stats');
    const districts = await page.locator('select[name=district] option').allTextContents();
    expect(districts.length).toBeGreaterThan(2);
    await page.locator('select[name=district]').selectOption(districts[1]!);
    await page.getByRole('button', { name: 'Показать' }).click();
    expect(await page.locator('.report svg').count()).toBe(charts - (districts.length - 2));
    await page.locator('summary').click();
    const download = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'demand-by-district.csv' }).click()]).then(([d]) => d);
    const csv = await (await import('node:fs/promises')).readFile((await download.path())!, 'utf8');
    const lines = csv.split('\n').filter(Boolean);
    expect(lines[0]).toContain('district');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(districts[1]);
  });

  it('purge: the dry run per district, a wrong code refused, then the confirmed (early) purge moves exactly those applications and queues the notices', async () => {
    const db = world.core.db.prisma;
    const season = (await currentSeason(db, new Date()))!;
    const { page } = await open();
    await login(page, world.base, 'operator1');
    await page.getByRole('link', { name: 'Чистка очереди' }).click();
    const [due] = await db.$queryRaw<
      { n: number }[]
    >`SELECT count(*)::int AS n FROM applications WHERE status = 'ACTIVE' AND "validUntil" <= ${season.deadline}`;
    expect(due!.n).toBeGreaterThan(0);
    expect(await page.locator('[data-k=dry]').textContent()).toContain(`попадут ${due!.n} заявлений`);
    await shot(page, 'purge');
    const stopBefore = await db.application.count({ where: { status: 'STOP_LISTED' } });
    await page.getByLabel(`Чтобы подтвердить, введите код сезона (${season.code})`).fill('not-it');
    await page.getByRole('button', { name: 'Перенести в стоп-лист' }).click();
    expect(await page.locator('#purge-error').textContent()).toBe('Код сезона введён неверно — чистка не проведена.');
    expect(await db.application.count({ where: { status: 'STOP_LISTED' } })).toBe(stopBefore);
    await page.getByLabel(`Чтобы подтвердить, введите код сезона (${season.code})`).fill(season.code);
    await page.getByLabel('Провести до срока', { exact: false }).check();
    await page.getByRole('button', { name: 'Перенести в стоп-лист' }).click();
    expect(await page.getByRole('status').textContent()).toContain(`в стоп-лист перенесено ${due!.n}`);
    expect(await db.application.count({ where: { status: 'STOP_LISTED' } })).toBe(stopBefore + due!.n);
    expect(await page.locator('[data-k=notices]').textContent()).toMatch(/Уведомления о стоп-листе: поставлено \d+/);
    const run = await db.auditEntry.findFirstOrThrow({ where: { action: 'purge.run' } });
    expect(run.after).toMatchObject({ moved: due!.n, early: true });
    await shot(page, 'purge-done');
  });
});
