/**
 * The inbox over plain HTTP, on both databases: what a parent wrote is escaped wherever it shows,
 * every change needs the form's token and the role, a file is served only to a role that sees
 * personal data and only as the type its bytes are, the event stream speaks SSE, and the
 * dashboard's figures (open, waiting, median first response, answered today) are the database's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordParentMessage, replyToThread, type FileSource } from '../../src/services/support.ts';
import { inboxFigures } from '../../src/console/inbox/figures.ts';
import { TEST_DB_KINDS } from '../../test-support/db.ts';
import { JPEG } from '../helpers/files.ts';
import { HttpClient, person, startConsole, type ConsoleWorld } from '../../test-support/console-harness.ts';

const MINUTE = 60_000;
const SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(2)>';
const files: FileSource = { fetch: async () => ({ ok: true, data: new Uint8Array(JPEG), mime: 'image/jpeg' }) };

describe.each(TEST_DB_KINDS)('the inbox over HTTP (%s)', (kind) => {
  let world: ConsoleWorld;
  let threadId = 0;
  let fileMessageId = 0;

  beforeAll(async () => {
    world = await startConsole(kind, { seed: false });
    await person(world.core, 'operator9', 'OPERATOR');
    await person(world.core, 'viewer9', 'VIEWER');
    const db = world.core.db.prisma;
    const now = new Date();
    await recordParentMessage(db, { channel: 'TELEGRAM', chatId: '501', locale: 'ru', key: 'u1', text: SCRIPT, now });
    await recordParentMessage(db, {
      channel: 'TELEGRAM',
      chatId: '501',
      locale: 'ru',
      key: 'u2',
      text: null,
      file: { ref: { ref: 'f', size: JPEG.length, name: '"><svg onload=alert(3)>.jpg' }, source: files },
      now,
    });
    const t = await db.supportThread.findFirstOrThrow({ include: { messages: true } });
    threadId = t.id;
    fileMessageId = t.messages.find((m) => m.fileMime)!.id;
  }, 120_000);
  afterAll(() => world?.close());

  it('what the parent wrote, and the name of their file, are text on every page', async () => {
    const op = new HttpClient(world.base);
    expect(await op.login('operator9')).toBe(303);
    for (const page of [`/admin/inbox/${threadId}`, `/admin/inbox/${threadId}/messages`]) {
      const { status, text } = await op.request('GET', page);
      expect(status).toBe(200);
      expect(text).not.toContain('<script>alert');
      expect(text).not.toContain('<img src=x');
      expect(text).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    }
  });

  it('a reply needs the form token and a role that answers; a viewer cannot open files, an operator gets them as checked', async () => {
    const viewer = new HttpClient(world.base);
    await viewer.login('viewer9');
    const token = await viewer.token(`/admin/inbox/${threadId}`);
    const refused = await viewer.request('POST', `/admin/inbox/${threadId}/reply`, {
      _csrf: token,
      text: 'x',
      replyKey: '00000000-0000-4000-8000-000000000000',
      seen: '0',
    });
    expect(refused.status).toBe(403);
    expect((await viewer.request('GET', `/admin/inbox/${threadId}/files/${fileMessageId}`)).status).toBe(403);

    const op = new HttpClient(world.base);
    await op.login('operator9');
    const noToken = await op.request('POST', `/admin/inbox/${threadId}/reply`, { text: 'x', replyKey: '00000000-0000-4000-8000-000000000000', seen: '0' });
    expect(noToken.status).toBe(403);
    const res = await fetch(`${world.base}/admin/inbox/${threadId}/files/${fileMessageId}`, { headers: { cookie: await op.cookieHeader() } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(res.headers.get('content-security-policy')).toContain('sandbox');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-disposition')).toBe(`inline; filename="support-${fileMessageId}.jpg"`);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(JPEG);
    // A message of another thread is not reachable through this one.
    expect((await op.request('GET', `/admin/inbox/${threadId + 1}/files/${fileMessageId}`)).status).toBe(404);
  });

  it('the event stream answers as server-sent events', async () => {
    const op = new HttpClient(world.base);
    await op.login('operator9');
    const ac = new AbortController();
    const res = await fetch(`${world.base}/admin/inbox/events?since=1.2.3`, { headers: { cookie: await op.cookieHeader() }, signal: ac.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toBe('retry: 3000\n\n');
    // The page was rendered at a cursor the inbox has left: the first look says so.
    const next = new TextDecoder().decode((await reader.read()).value);
    expect(next).toMatch(/^event: changed\ndata: [\d.]+\n\n$/);
    ac.abort();
  });

  it('the dashboard figures: open and waiting, the median first response, answers today', async () => {
    const db = world.core.db.prisma;
    const op = await db.operatorUser.findFirstOrThrow({ where: { username: 'operator9' } });
    const t0 = new Date(Date.now() - 60 * MINUTE);
    // Three more threads opened an hour ago, answered after 10, 20 and 40 minutes; one waits.
    for (const [i, after] of [10, 20, 40].entries()) {
      await recordParentMessage(db, { channel: 'WHATSAPP', chatId: `7700${i}`, locale: 'kk', key: `w${i}`, text: 'сұрақ', now: t0 });
      const t = await db.supportThread.findFirstOrThrow({ where: { chatId: `7700${i}` } });
      await replyToThread(db, {
        threadId: t.id,
        operatorId: op.id,
        text: 'жауап',
        replyKey: `r${i}`,
        seenMessageId: 0,
        force: false,
        now: new Date(t0.getTime() + after * MINUTE),
      });
    }
    const f = await inboxFigures(db, new Date());
    expect(f).toEqual({ open: 4, waiting: 1, medianFirstResponseMinutes: 20, answeredToday: expect.any(Number) });
    const [today] = await db.$queryRaw<
      { n: number }[]
    >`SELECT count(*)::int AS n FROM support_messages WHERE author = 'OPERATOR' AND "createdAt" >= date_trunc('day', now() AT TIME ZONE 'Asia/Almaty') AT TIME ZONE 'Asia/Almaty'`;
    expect(f.answeredToday).toBe(today!.n);

    const client = new HttpClient(world.base);
    await client.login('viewer9');
    const { text } = await client.request('GET', '/admin/dashboard/live');
    expect(text).toMatch(/data-k="inboxOpen">4</);
    expect(text).toMatch(/data-k="inboxMedian">0 ч 20 мин</);
  });
});
