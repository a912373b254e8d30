import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpServer } from '../../src/http/server.ts';
import { createLogger } from '../../src/log.ts';

describe('the product HTTP server', () => {
  const server = new HttpServer({ logger: createLogger('silent'), maxBodyBytes: 1000 });
  let base = '';
  beforeAll(async () => {
    server.route('POST', '/echo', (req) => ({ status: 200, body: { bytes: req.body.length, q: req.query.get('q') } }));
    server.routePrefix('GET', '/t/', (req) => ({ status: 200, body: { rest: req.path.slice(3) } }));
    server.route('GET', '/t/exact', () => ({ status: 200, body: { exact: true } }));
    server.route('GET', '/boom', () => {
      throw new Error('handler bug');
    });
    base = `http://127.0.0.1:${await server.listen(0, '127.0.0.1')}`;
  });
  afterAll(() => server.close());

  it('hands the raw body to the route', async () => {
    const r = await fetch(`${base}/echo?q=1`, { method: 'POST', body: 'тест' });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ bytes: Buffer.byteLength('тест'), q: '1' });
  });

  it('answers 404 for unknown paths and 405 for a wrong method', async () => {
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/echo`)).status).toBe(405);
  });

  it('serves every path under a prefix, exact routes first; a wrong method under it is 405', async () => {
    expect(await (await fetch(`${base}/t/abc_-1`)).json()).toEqual({ rest: 'abc_-1' });
    expect(await (await fetch(`${base}/t/exact`)).json()).toEqual({ exact: true });
    expect((await fetch(`${base}/t/abc`, { method: 'POST', body: '' })).status).toBe(405);
    expect((await fetch(`${base}/t`)).status).toBe(404);
  });

  it('refuses bodies over the limit with 413', async () => {
    const r = await fetch(`${base}/echo`, { method: 'POST', body: 'x'.repeat(5000) });
    expect(r.status).toBe(413);
  });

  it('turns a handler crash into a 500 and keeps serving', async () => {
    expect((await fetch(`${base}/boom`)).status).toBe(500);
    expect((await fetch(`${base}/echo`, { method: 'POST', body: '' })).status).toBe(200);
  });
});
