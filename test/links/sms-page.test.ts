/**
 * The SMS page over HTTP on both databases: GET shows the ways into the bots (the parent's deep
 * links) and the portal, and the stop question (a link preview must not opt anyone out); POST
 * records the opt-out of SMS (again: nothing new) or lifts it; a forged or unknown token gets a
 * page that says so, and every text is escaped.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { assembleCore, type Core } from '../../src/app.ts';
import { loadConfig } from '../../src/config/env.ts';
import { signToken } from '../../src/links/token.ts';
import { createLogger } from '../../src/log.ts';
import { optedOut } from '../../src/services/opt-outs.ts';
import { createTestDatabase, TEST_DB_KINDS } from '../../test-support/db.ts';
import { createParent, truncateAll } from '../helpers/fixtures.ts';

const LINK_SECRET = 'sms-page-test-secret-0123456789abcdefghi';
const DEADLINE = new Date(Date.now() + 20 * 86_400_000);
// A contact number with markup in it: the page must show it as text.
const SUPPORT_PHONE = `1414 <script>alert("x")</script> & 'q'`;
const PORTAL = 'https://egov.kz/services/kindergarten?lang=ru&from=sms';

describe.each(TEST_DB_KINDS)('SMS page (%s)', (kind) => {
  let core: Core;
  let base = '';
  beforeAll(async () => {
    const db = await createTestDatabase(kind);
    const config = loadConfig({
      SEED_DEMO: 'false',
      LOG_LEVEL: 'silent',
      LINK_SECRET,
      PUBLIC_URL: 'https://kezek.example.kz/',
      TELEGRAM_BOT_USERNAME: 'kezek_test_bot',
      WHATSAPP_DISPLAY_NUMBER: '+7 700 123 45 67',
      PORTAL_URL: PORTAL,
      SUPPORT_PHONE,
    });
    core = await assembleCore(db, config, { seedDemo: false, logger: createLogger('silent') });
    base = `http://127.0.0.1:${await core.http.listen(0, '127.0.0.1')}`;
  });
  afterAll(() => core?.close());
  beforeEach(() => truncateAll(core.db.prisma));

  /** A parent and the local address of the link their SMS would carry. */
  async function stopLink() {
    const parent = await createParent(core.db.prisma, { fullName: 'Әлия Сапарова', locale: 'kk' });
    const url = await core.links.smsPageUrl(core.db.prisma, { parentId: parent.id, phone: parent.phone, expiresAt: DEADLINE }, new Date());
    expect(url).toMatch(/^https:\/\/kezek\.example\.kz\/s\/S[A-Za-z0-9_-]{23}$/);
    return { parent, url: url!.replace('https://kezek.example.kz', base) };
  }
  /** The addresses the page's links lead to. */
  const hrefs = (html: string) => [...html.matchAll(/<a href="([^"]*)"/g)].map((m) => m[1]!.replaceAll('&#38;', '&'));
  const post = (url: string, what: string) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `do=${what}` });
  const smsOptOuts = () => core.db.prisma.notificationOptOut.findMany({ where: { channel: 'SMS' } });

  it("GET offers the parent's deep links into both bots and the portal; once the link is used, the bots' plain addresses", async () => {
    const { parent, url } = await stopLink();
    const html = await (await fetch(url)).text();
    for (const l of ['kk', 'ru'] as const) {
      for (const key of ['smsPage.extend', 'smsPage.telegramButton', 'smsPage.whatsappButton', 'smsPage.portalButton'])
        expect(html).toContain(htmlEscaped(core.translator.t(l, key)));
    }
    const [telegram, whatsapp, portal] = hrefs(html);
    const code = new URL(telegram!).searchParams.get('start')!;
    expect(telegram).toBe(`https://t.me/kezek_test_bot?start=${code}`);
    expect(whatsapp).toBe(`https://wa.me/77001234567?text=${code}`);
    expect(portal).toBe(PORTAL);
    // The deep link works: it names this parent and phone.
    expect(await core.links.redeem(core.db.prisma, code, new Date())).toEqual({ parentId: parent.id, phone: parent.phone, locale: 'kk' });
    expect(hrefs(await (await fetch(url)).text())).toEqual(['https://t.me/kezek_test_bot', 'https://wa.me/77001234567', PORTAL]);
  });

  it('GET shows the question in kk and ru with one button, and stores nothing', async () => {
    const { parent, url } = await stopLink();
    const r = await fetch(url);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.headers.get('referrer-policy')).toBe('no-referrer');
    expect(r.headers.get('x-frame-options')).toBe('DENY');
    expect(r.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await r.text();
    for (const l of ['kk', 'ru'] as const) expect(html).toContain(core.translator.t(l, 'smsPage.question'));
    expect(html.match(/<form method="post">/g)).toHaveLength(1);
    expect(html).toContain('name="do" value="stop"');
    // Nothing about the parent on the page.
    for (const secret of [parent.fullName, parent.phone, parent.iin, parent.phone.slice(-7)]) expect(html).not.toContain(secret);
    expect(await smsOptOuts()).toEqual([]);
  });

  it('POST stops SMS for the parent (again: nothing new); the page then offers to resume, which lifts it', async () => {
    const { parent, url } = await stopLink();
    const r = await post(url, 'stop');
    expect(r.status).toBe(200);
    expect(await r.text()).toContain(core.translator.t('ru', 'smsPage.stopped'));
    expect(await post(url, 'stop').then((x) => x.status)).toBe(200);
    expect(await smsOptOuts()).toEqual([expect.objectContaining({ parentId: parent.id, source: 'sms' })]);
    // Only SMS: the bots' channels are the parent's own choice there.
    expect(await optedOut(core.db.prisma, [parent.id], 'WHATSAPP')).toEqual(new Set());

    const again = await (await fetch(url)).text();
    expect(again).toContain(core.translator.t('kk', 'smsPage.stopped'));
    expect(again).toContain('name="do" value="resume"');
    const resumed = await post(url, 'resume');
    expect(await resumed.text()).toContain(core.translator.t('ru', 'smsPage.resumed'));
    expect(await smsOptOuts()).toEqual([]);
  });

  it('a stop link works after its deep link was used and after the deadline', async () => {
    const { parent, url } = await stopLink();
    await core.db.prisma.linkToken.updateMany({ where: { parentId: parent.id }, data: { usedAt: new Date(), expiresAt: new Date(Date.now() - 1000) } });
    expect((await post(url, 'stop')).status).toBe(200);
    expect(await smsOptOuts()).toHaveLength(1);
  });

  it('a forged, unknown or deep-link token, or markup in the path: 404 with a page that echoes nothing and escapes everything', async () => {
    const { url } = await stopLink();
    const token = url.split('/s/')[1]!;
    // The deep link of the same row: a valid token, but not for this page.
    const deepLink = signToken(Buffer.from(LINK_SECRET), 'link', token.slice(1, 12));
    const bad = [`${token.slice(0, 12)}${'A'.repeat(12)}`, deepLink, 'S0000000000000000000000', '<script>alert(1)</script>', `${token}/extra`];
    for (const t of bad) {
      for (const r of [await fetch(`${base}/s/${t}`), await post(`${base}/s/${t}`, 'stop')]) {
        expect(r.status).toBe(404);
        const html = await r.text();
        expect(html).toContain(htmlEscaped(core.translator.t('ru', 'smsPage.invalid')));
        expect(html).not.toContain('<script>');
        expect(html).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; &#39;q&#39;');
        expect(html).not.toContain('<form');
        expect(html).not.toContain('<a ');
      }
    }
    expect(await smsOptOuts()).toEqual([]);
  });

  it('a POST without a known action changes nothing', async () => {
    const { url } = await stopLink();
    expect((await post(url, 'drop')).status).toBe(400);
    expect((await fetch(url, { method: 'POST', body: '' })).status).toBe(400);
    expect(await smsOptOuts()).toEqual([]);
  });
});

const htmlEscaped = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
