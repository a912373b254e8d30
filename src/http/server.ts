/**
 * The product's one HTTP stack (Fastify): health, the channels' webhooks, the SMS pages and the
 * operator console. The platforms' routes live in a table that channels fill in at start (after
 * the server listens: Telegram's webhook is registered once the bot knows itself), served by one
 * catch-all route in a scope that hands them the raw body bytes (WhatsApp signs them). A handler
 * that throws answers 500 only if it has not answered yet — channels answer the platforms
 * themselves so a bug never turns into endless redelivery. The console registers its own Fastify
 * routes on `app`; Fastify's router serves those first, the table everything else.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.ts';

export interface HttpRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export interface HttpResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer | object;
}

export type HttpHandler = (req: HttpRequest) => Promise<HttpResponse> | HttpResponse;

export interface HttpServerOptions {
  logger: Logger;
  /** Bigger bodies of the platforms' routes are refused with 413 before they are read whole. */
  maxBodyBytes?: number;
  /** Behind a reverse proxy: the client's address from X-Forwarded-For (login rate limits need it). */
  trustProxy?: boolean;
}

const TABLE_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'] as const;

export class HttpServer {
  /** The Fastify instance: the console's plugins and routes are registered on it before `listen`. */
  readonly app: FastifyInstance;
  private readonly routes = new Map<string, HttpHandler>();
  /** Handlers of every path below a prefix (pages addressed by a token in the path). */
  private readonly prefixes: { method: string; prefix: string; handler: HttpHandler }[] = [];
  private listening = false;

  constructor(private readonly opts: HttpServerOptions) {
    const maxBody = opts.maxBodyBytes ?? 1024 * 1024;
    this.app = Fastify({
      logger: false,
      trustProxy: opts.trustProxy ?? false,
      // Slow clients must not hold sockets forever; platforms send small bodies quickly.
      requestTimeout: 30_000,
      return503OnClosing: true,
    });
    this.app.server.headersTimeout = 15_000;
    this.app.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxBody }, (_req, body, done) => done(null, body));
      scope.route({ method: [...TABLE_METHODS], url: '/*', handler: (req, reply) => this.dispatch(req, reply) });
    });
    this.app.setErrorHandler((err: { statusCode?: number; message: string }, req, reply) => {
      const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
      if (status === 500) this.opts.logger.error({ err, path: req.routeOptions.url }, 'http handler failed');
      void reply.code(status).send({ error: status === 413 ? 'payload too large' : status === 500 ? 'internal error' : err.message });
    });
  }

  route(method: 'GET' | 'POST', path: string, handler: HttpHandler): void {
    this.routes.set(`${method} ${path}`, handler);
  }

  /** A handler for every path that starts with `prefix` (ending in "/"); exact routes win. */
  routePrefix(method: 'GET' | 'POST', prefix: string, handler: HttpHandler): void {
    if (!prefix.endsWith('/')) throw new Error(`a route prefix ends with "/": ${prefix}`);
    this.prefixes.push({ method, prefix, handler });
  }

  private find(method: string, path: string): { handler: HttpHandler | null; known: boolean } {
    const exact = this.routes.get(`${method} ${path}`);
    if (exact) return { handler: exact, known: true };
    const under = this.prefixes.filter((p) => path.startsWith(p.prefix));
    const handler = under.find((p) => p.method === method)?.handler ?? null;
    const known = under.length > 0 || [...this.routes.keys()].some((k) => k.endsWith(` ${path}`));
    return { handler, known };
  }

  async listen(port: number, host = '0.0.0.0'): Promise<number> {
    await this.app.listen({ port, host });
    this.listening = true;
    return (this.app.server.address() as AddressInfo).port;
  }

  /** Stops taking connections and waits for in-flight requests. */
  async close(): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    await this.app.close();
  }

  private async dispatch(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const url = new URL(req.url, 'http://localhost');
    const { handler, known } = this.find(req.method, url.pathname);
    if (!handler) return send(reply, { status: known ? 405 : 404, body: { error: known ? 'method not allowed' : 'not found' } });
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    try {
      return send(reply, await handler({ method: req.method, path: url.pathname, query: url.searchParams, headers: req.headers, body }));
    } catch (err) {
      this.opts.logger.error({ err, path: url.pathname }, 'http handler failed');
      return send(reply, { status: 500, body: { error: 'internal error' } });
    }
  }
}

function send(reply: FastifyReply, r: HttpResponse): FastifyReply {
  if (reply.sent) return reply;
  const isJson = r.body !== undefined && typeof r.body === 'object' && !Buffer.isBuffer(r.body);
  const payload = r.body === undefined ? '' : isJson ? JSON.stringify(r.body) : (r.body as string | Buffer);
  return reply
    .code(r.status)
    .headers({ 'content-type': isJson ? 'application/json' : 'text/plain; charset=utf-8', ...r.headers })
    .send(payload);
}
