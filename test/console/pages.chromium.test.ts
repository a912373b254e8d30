/**
 * The console as an operator uses it, in headless Chromium: signing in, the dashboard's numbers
 * against the database, seasons, the support desk, users, the audit log, the language switch and
 * signing out. One browser for the file; screenshots in CONSOLE_SHOTS (default a temp folder).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentSeason } from '../../src/campaign/seasons.ts';
import { DEMO_PARENTS } from '../../src/db/seed/index.ts';
import { findChromium, launchBrowser, login, newPage, person, shot, startConsole, type ConsoleWorld } from './harness.ts';

const chromiumPath = findChromium();
if (!chromiumPath) console.warn('console pages: chromium not found — skipped (apt-get install -y chromium)');

const digits = (s: string | null) => Number((s ?? '').replace(/\D/g, ''));

describe.skipIf(!chromiumPath)('the operator console in Chromium', () => {
  let world: ConsoleWorld;
  let browser: Browser;
  const pages: { page: Page; problems: string[]; dialogs: string[] }[] = [];
  const open = async () => {
    const p = await newPage(browser);
    pages.push(p);
    return p;
  };

  beforeAll(async () => {
    world = await startConsole('embedded');
    await person(world.core, 'aigerim', 'ADMIN');
    await person(world.core, 'operator1', 'OPERATOR');
    await person(world.core, 'viewer1', 'VIEWER');
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    // No page may have had a script error or a CSP violation, and no parent's text may have run as script.
    for (const p of pages) {
      expect(p.problems).toEqual([]);
      expect(p.dialogs.filter((d) => !d.includes('?'))).toEqual([]);
    }
    await browser?.close();
    await world?.close();
  });

  it('a wrong password is refused in words; the right one opens the dashboard, whose numbers are the database\'s', async () => {
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
    await page.waitForFunction("document.querySelector('#live')?.hasAttribute('data-refreshed')", null, { timeout: 10_000 });
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
});

