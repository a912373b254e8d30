/**
 * The console's locks, over HTTP on both databases: no session → the login page for every page
 * and every action (and nothing changes); a viewer's forbidden action → 403 and nothing changes; a
 * form without its CSRF token → 403; ten wrong passwords lock the account; each action leaves an
 * audit row, which nobody can change; the session cookie's flags; a reset signs the person out.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LOCK_AFTER_FAILURES } from '../../src/console/auth/users.ts';
import { createLogger } from '../../src/log.ts';
import { createParent, truncateAll } from '../helpers/fixtures.ts';
import { TEST_DB_KINDS } from '../../test-support/db.ts';
import { HttpClient, person, startConsole, type ConsoleWorld } from '../../test-support/console-harness.ts';
import { recordParentMessage } from '../../src/services/support.ts';

const PAGES = [
  '/admin/',
  '/admin/inbox',
  '/admin/inbox/canned',
  '/admin/inbox/1',
  '/admin/inbox/1/files/1',
  '/admin/inbox/events',
  '/admin/dashboard',
  '/admin/dashboard/live',
  '/admin/seasons',
  '/admin/imports',
  '/admin/purge',
  '/admin/stats',
  '/admin/stats/summary.csv',
  '/admin/parents',
  '/admin/parents/1',
  '/admin/audit',
  '/admin/users',
  '/admin/no-such-page',
];

describe.each(TEST_DB_KINDS)('console security (%s)', (kind) => {
  let world: ConsoleWorld;
  // Everything the process logs, at the most talkative level.
  let logged = '';
  beforeAll(async () => {
    const sink = { write: (line: string) => void (logged += line) };
    world = await startConsole(kind, { seed: false, logger: createLogger('trace', sink) });
  }, 60_000);
  afterAll(() => world?.close());
  beforeEach(async () => {
    await truncateAll(world.core.db.prisma);
    await person(world.core, 'boss', 'ADMIN');
    await person(world.core, 'opr', 'OPERATOR');
    await person(world.core, 'watcher', 'VIEWER');
  });
  const db = () => world.core.db.prisma;

  it('without a session every page and every action leads to the login page, and nothing changes', async () => {
    const anon = new HttpClient(world.base);
    for (const path of PAGES) {
      const r = await anon.request('GET', path);
      expect(r.status, path).toBe(303);
      expect(r.location, path).toMatch(/^\/admin\/login(\?next=|$)/);
    }
    const parent = await createParent(db());
    await db().identificationFailure.create({ data: { channel: 'TELEGRAM', chatId: '1', phone: parent.phone } });
    const actions: [string, Record<string, string>][] = [
      ['/admin/seasons', { code: 'X1', opens: '2027-01-01', deadline: '2027-02-01', validUntil: '2028-02-01' }],
      ['/admin/users', { username: 'intruder', role: 'ADMIN' }],
      [`/admin/parents/${parent.id}/unlock`, {}],
      [`/admin/parents/${parent.id}/remind`, {}],
      ['/admin/users/1/role', { role: 'VIEWER' }],
      ['/admin/users/1/password', {}],
      ['/admin/inbox/1/reply', { text: 'x', replyKey: '00000000-0000-4000-8000-000000000000' }],
      ['/admin/inbox/1/close', {}],
      ['/admin/inbox/canned', { locale: 'ru', title: 'x', body: 'y' }],
    ];
    for (const [path, form] of actions) {
      const r = await anon.request('POST', path, form);
      expect(r.status, path).toBe(303);
      expect(r.location, path).toBe('/admin/login');
    }
    expect(await db().season.count()).toBe(0);
    expect(await db().operatorUser.count()).toBe(3);
    expect(await db().identificationFailure.count()).toBe(1);
    expect(await db().auditEntry.count({ where: { action: { not: 'user.create' } } })).toBe(0);
    // The login page itself is open, and says who it is for.
    expect((await anon.request('GET', '/admin/login')).status).toBe(200);
    // Signed in, an unknown address is the console's own page, not the platforms' JSON.
    await anon.login('watcher');
    const missing = await anon.request('GET', '/admin/no-such-page');
    expect(missing.status).toBe(404);
    expect(missing.text).toContain('Такой страницы нет.');
  });

  it("a viewer's operator action is refused with 403 and changes nothing; pages the role has no menu for are 403 too", async () => {
    const viewer = new HttpClient(world.base);
    expect(await viewer.login('watcher')).toBe(303);
    const _csrf = await viewer.token('/admin/dashboard');
    const parent = await createParent(db());
    await db().identificationFailure.create({ data: { channel: 'TELEGRAM', chatId: '1', phone: parent.phone } });
    expect((await viewer.request('POST', `/admin/parents/${parent.id}/unlock`, { _csrf })).status).toBe(403);
    expect(
      (await viewer.request('POST', '/admin/seasons', { _csrf, code: 'X1', opens: '2027-01-01', deadline: '2027-02-01', validUntil: '2028-02-01' })).status,
    ).toBe(403);
    expect((await viewer.request('POST', '/admin/users', { _csrf, username: 'intruder', role: 'ADMIN' })).status).toBe(403);
    expect((await viewer.request('GET', '/admin/users')).status).toBe(403);
    expect((await viewer.request('GET', '/admin/audit')).status).toBe(403);
    expect(await db().identificationFailure.count()).toBe(1);
    expect(await db().season.count()).toBe(0);
    expect(await db().operatorUser.count()).toBe(3);
  });

  it("a form without its CSRF token, or with another session's, is refused with 403", async () => {
    const op = new HttpClient(world.base);
    await op.login('opr');
    const other = new HttpClient(world.base);
    await other.login('boss');
    const foreign = await other.token('/admin/dashboard');
    const form = { code: 'X1', opens: '2027-01-01', deadline: '2027-02-01', validUntil: '2028-02-01' };
    expect((await op.request('POST', '/admin/seasons', form)).status).toBe(403);
    expect((await op.request('POST', '/admin/seasons', { ...form, _csrf: foreign })).status).toBe(403);
    expect((await op.request('POST', '/admin/seasons', { ...form, _csrf: 'forged' })).status).toBe(403);
    expect(await db().season.count()).toBe(0);
    const _csrf = await op.token('/admin/seasons');
    expect((await op.request('POST', '/admin/seasons', { ...form, _csrf })).status).toBe(303);
    expect(await db().season.count()).toBe(1);
  });

  it(`${LOCK_AFTER_FAILURES} wrong passwords lock the account for a while, the right one included; each try is audited`, async () => {
    const c = new HttpClient(world.base);
    for (let i = 0; i < LOCK_AFTER_FAILURES - 1; i++) expect(await c.login('opr', `wrong password ${i}`)).toBe(401);
    expect(await c.login('opr', 'wrong again')).toBe(429);
    expect(await c.login('opr')).toBe(429);
    const user = await db().operatorUser.findUniqueOrThrow({ where: { username: 'opr' } });
    expect(user.lockedUntil!.getTime()).toBeGreaterThan(Date.now() + 10 * 60_000);
    expect(await db().auditEntry.count({ where: { action: 'login.failed', username: 'opr' } })).toBe(LOCK_AFTER_FAILURES + 1);
    expect(await db().auditEntry.count({ where: { action: 'user.locked' } })).toBe(1);
    // An unknown name gets the same answer as a wrong password.
    expect(await c.login('nobody')).toBe(401);
  });

  it('the session cookie is HttpOnly, SameSite=Strict and scoped to /admin; a password reset signs the person out', async () => {
    const r = await fetch(`${world.base}/admin/login`);
    const cookie = r.headers.getSetCookie().find((c) => c.startsWith('kq_console='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\/admin/);
    expect(r.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(r.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    const op = new HttpClient(world.base);
    await op.login('opr');
    expect((await op.request('GET', '/admin/dashboard')).status).toBe(200);
    const admin = new HttpClient(world.base);
    await admin.login('boss');
    const id = (await db().operatorUser.findUniqueOrThrow({ where: { username: 'opr' } })).id;
    expect((await admin.request('POST', `/admin/users/${id}/password`, { _csrf: await admin.token('/admin/users') })).status).toBe(200);
    expect((await op.request('GET', '/admin/dashboard')).status).toBe(303);
  });

  it('the audit log is append-only in the database itself', async () => {
    const c = new HttpClient(world.base);
    await c.login('boss');
    const entry = await db().auditEntry.findFirstOrThrow({ where: { action: 'login' } });
    await expect(db().auditEntry.update({ where: { id: entry.id }, data: { username: 'someone-else' } })).rejects.toThrow(/append-only/);
    await expect(db().auditEntry.delete({ where: { id: entry.id } })).rejects.toThrow(/append-only/);
    expect((await db().auditEntry.findUniqueOrThrow({ where: { id: entry.id } })).username).toBe('boss');
  });
  it('an expired session is refused even before the hourly sweep removes it', async () => {
    const c = new HttpClient(world.base);
    await c.login('opr');
    expect((await c.request('GET', '/admin/dashboard')).status).toBe(200);
    await db().operatorSession.updateMany({ data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await c.request('GET', '/admin/dashboard')).status).toBe(303);
    expect(await world.core.console!.sessions.sweep()).toBeGreaterThan(0);
    expect(await db().operatorSession.count({ where: { expiresAt: { lt: new Date() } } })).toBe(0);
  });
  it('every action leaves an audit row; neither a password nor a full IIN or phone reaches the log', async () => {
    const parent = await createParent(db(), { fullName: 'Сапарова Әлия' });
    await db().identificationFailure.create({ data: { channel: 'TELEGRAM', chatId: '1', phone: parent.phone } });
    logged = '';
    const c = new HttpClient(world.base);
    await c.login('boss', 'a wrong password!');
    await c.login('boss');
    const t = () => c.token('/admin/dashboard');
    await c.request('GET', `/admin/parents?q=${parent.iin}`);
    await c.request('GET', `/admin/parents/${parent.id}`);
    await c.request('POST', `/admin/parents/${parent.id}/unlock`, { _csrf: await t() });
    await c.request('POST', `/admin/parents/${parent.id}/remind`, { _csrf: await t() });
    await c.request('POST', '/admin/seasons', { _csrf: await t(), code: 'A1', opens: '2027-01-01', deadline: '2027-02-01', validUntil: '2028-02-01' });
    await c.request('POST', '/admin/seasons', { _csrf: await t(), code: 'A1', opens: '2027-01-02', deadline: '2027-02-01', validUntil: '2028-02-01' });
    const created = await c.request('POST', '/admin/users', { _csrf: await t(), username: 'newbie', role: 'VIEWER' });
    const generated = /data-k="password">([^<]+)</.exec(created.text)![1]!;
    const newbie = (await db().operatorUser.findUniqueOrThrow({ where: { username: 'newbie' } })).id;
    await c.request('POST', `/admin/users/${newbie}/role`, { _csrf: await t(), role: 'OPERATOR' });
    await c.request('POST', `/admin/users/${newbie}/disabled`, { _csrf: await t(), disabled: 'true' });
    await c.request('POST', `/admin/users/${newbie}/password`, { _csrf: await t() });
    await recordParentMessage(db(), { channel: 'WHATSAPP', chatId: '77010000000', locale: 'ru', key: 'm1', text: 'Вопрос', now: new Date() });
    const thread = (await db().supportThread.findFirstOrThrow()).id;
    await c.request('POST', '/admin/inbox/canned', { _csrf: await t(), locale: 'ru', title: 'Срок', body: 'До 25 декабря.' });
    const canned = (await db().cannedReply.findFirstOrThrow()).id;
    await c.request('POST', '/admin/inbox/canned', { _csrf: await t(), id: String(canned), locale: 'ru', title: 'Срок', body: 'До 26 декабря.' });
    await c.request('POST', `/admin/inbox/canned/${canned}/delete`, { _csrf: await t() });
    await c.request('POST', `/admin/inbox/${thread}/assign`, { _csrf: await t(), to: 'me' });
    await c.request('POST', `/admin/inbox/${thread}/reply`, { _csrf: await t(), text: 'Ответ', replyKey: '00000000-0000-4000-8000-000000000001', seen: '0' });
    await c.request('POST', `/admin/inbox/${thread}/template`, { _csrf: await t() });
    await c.request('POST', `/admin/inbox/${thread}/close`, { _csrf: await t() });
    await c.request('POST', '/admin/lang', { _csrf: await t(), lang: 'kk', back: '/admin/dashboard' });
    await c.request('POST', '/admin/logout', { _csrf: await t() });
    // The three people of beforeEach were made by the CLI, before this test's actions.
    const actions = (await db().auditEntry.findMany({ orderBy: { id: 'asc' }, where: { username: { not: 'cli' } } })).map((a) => a.action);
    expect(actions).toEqual([
      'login.failed',
      'login',
      'parent.view',
      'parent.unlock',
      'parent.remind',
      'season.create',
      'season.change',
      'user.create',
      'user.role',
      'user.disable',
      'user.resetPassword',
      'canned.create',
      'canned.update',
      'canned.delete',
      'support.assign',
      'support.reply',
      'support.template',
      'support.close',
      'user.language',
      'logout',
    ]);
    const digits = (s: string) => s.replace(/\D/g, '');
    for (const secret of ['a wrong password!', 'correct horse battery staple', generated, parent.iin, digits(parent.phone), parent.fullName])
      expect(logged).not.toContain(secret);
  });
});
