/**
 * The console under test: the product's core (its one HTTP server, the console registered on it)
 * on a test database, the demo registry seeded, people of each role; a headless Chromium per test
 * file (playwright-core driving Debian's /usr/bin/chromium) and a plain-HTTP client with a cookie
 * jar for the security tests.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { assembleCore, type Core } from '../src/app.ts';
import { CLI_ACTOR } from '../src/console/audit.ts';
import type { Role } from '../src/console/auth/roles.ts';
import { createUser } from '../src/console/auth/users.ts';
import { loadConfig } from '../src/config/env.ts';
import { seedDemo } from '../src/db/seed/index.ts';
import { createLogger, type Logger } from '../src/log.ts';
import { findChromium } from './chromium.ts';
import { createTestDatabase, type TestDbKind } from './db.ts';

export { findChromium };

export const PASSWORD = 'correct horse battery staple';

export interface ConsoleWorld {
  core: Core;
  base: string;
  close(): Promise<void>;
}

export async function startConsole(kind: TestDbKind, opts: { seed?: boolean; logger?: Logger } = {}): Promise<ConsoleWorld> {
  const db = await createTestDatabase(kind);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kq-console-'));
  const config = loadConfig({ SEED_DEMO: 'false', LOG_LEVEL: 'silent', DATA_DIR: dataDir, SESSION_SECRET: 'console-test-session-secret-0123456789abcdef' });
  const core = await assembleCore(db, config, { seedDemo: false, logger: opts.logger ?? createLogger('silent') });
  if (opts.seed ?? true) await seedDemo(core.db.prisma, { now: new Date(), seed: 1, parents: 300 });
  const base = `http://127.0.0.1:${await core.http.listen(0, '127.0.0.1')}`;
  return {
    core,
    base,
    close: async () => {
      await core.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A person of the given role, with PASSWORD. */
export async function person(core: Core, username: string, role: Role): Promise<void> {
  await createUser(core.db.prisma, CLI_ACTOR, { username, role, password: PASSWORD });
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: findChromium()!, headless: true, args: ['--no-sandbox', '--disable-background-networking'] });
}

/** A fresh page that fails the test on any script error or console error (a CSP violation shows there). */
export async function newPage(browser: Browser): Promise<{ page: Page; problems: string[]; dialogs: string[] }> {
  const context = await browser.newContext({ locale: 'ru-RU', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  const dialogs: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // Refusals the test asks for (a wrong password, a forbidden action, a reply that crossed another) are not problems.
    if (m.type() === 'error' && !/status of (400|401|403|409|429)\b/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.accept();
  });
  return { page, problems, dialogs };
}

/**
 * The pages a test file opens, and its closing check: none had a script error or a CSP violation,
 * and no dialog but the confirmations the console asks (a question) — a parent's text that ran as
 * script would show as an alert.
 */
export function pageBook(browser: () => Browser) {
  const pages: { page: Page; problems: string[]; dialogs: string[] }[] = [];
  return {
    open: async () => {
      const p = await newPage(browser());
      pages.push(p);
      return p;
    },
    /**
     * Closes every page opened so far, keeping what they recorded: before the server goes away on
     * purpose (a restart), so that a live page's next request to it is not counted as a problem.
     */
    closeAll: async () => {
      for (const p of pages) await p.page.context().close();
    },
    expectClean: () => {
      for (const p of pages) {
        expect(p.problems).toEqual([]);
        expect(p.dialogs.filter((d) => !d.includes('?'))).toEqual([]);
      }
    },
  };
}

export async function login(page: Page, base: string, username: string, password = PASSWORD): Promise<void> {
  await page.goto(`${base}/admin/login`);
  await page.getByLabel('Имя пользователя').fill(username);
  await page.getByLabel('Пароль').fill(password);
  await page.getByRole('button', { name: 'Войти' }).click();
  await page.waitForLoadState('domcontentloaded');
}

/** Screenshots land here (CONSOLE_SHOTS, default a temp folder) for a person to look at. */
export async function shot(page: Page, name: string): Promise<string> {
  const dir = process.env.CONSOLE_SHOTS ?? path.join(os.tmpdir(), 'kq-console-shots');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** fetch with a cookie jar: the security tests speak HTTP as a browser would, without one. */
export class HttpClient {
  private cookies = new Map<string, string>();
  constructor(private readonly base: string) {}

  async request(
    method: 'GET' | 'POST',
    pathAndQuery: string,
    form?: Record<string, string>,
  ): Promise<{ status: number; location: string | null; text: string }> {
    const headers: Record<string, string> = {};
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const r = await fetch(`${this.base}${pathAndQuery}`, {
      method,
      headers,
      body: form ? new URLSearchParams(form).toString() : undefined,
      redirect: 'manual',
    });
    for (const c of r.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
    return { status: r.status, location: r.headers.get('location'), text: await r.text() };
  }

  /** The session's cookies, for requests made with fetch itself (streams, binary bodies). */
  async cookieHeader(): Promise<string> {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /** The CSRF token of the page's first form. */
  async token(pathAndQuery: string): Promise<string> {
    const { text } = await this.request('GET', pathAndQuery);
    const m = /name="_csrf" value="([^"]+)"/.exec(text);
    if (!m) throw new Error(`no form on ${pathAndQuery}`);
    return m[1]!;
  }

  async login(username: string, password = PASSWORD): Promise<number> {
    const _csrf = await this.token('/admin/login');
    return (await this.request('POST', '/admin/login', { _csrf, username, password, next: '/admin/dashboard' })).status;
  }
}
