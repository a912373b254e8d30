/**
 * The product's one HTTP server: health, and the channels' webhooks registered on it. Handlers
 * get the raw body bytes (WhatsApp signs them); a handler that throws answers 500 only if it has
 * not answered yet — channels answer the platforms themselves so a bug never turns into endless
 * redelivery.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
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
  /** Bigger bodies are refused with 413 before they are read whole. */
  maxBodyBytes?: number;
}

export class HttpServer {
  private readonly routes = new Map<string, HttpHandler>();
  /** Handlers of every path below a prefix (pages addressed by a token in the path). */
  private readonly prefixes: { method: string; prefix: string; handler: HttpHandler }[] = [];
  private server: Server | null = null;
  private readonly maxBody: number;

  constructor(private readonly opts: HttpServerOptions) {
    this.maxBody = opts.maxBodyBytes ?? 1024 * 1024;
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
    this.server = createServer((req, res) => void this.dispatch(req, res));
    // Slow clients must not hold sockets forever; platforms send small bodies quickly.
    this.server.requestTimeout = 30_000;
    this.server.headersTimeout = 15_000;
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  /** Stops taking connections and waits for in-flight requests. */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const { handler, known } = this.find(method, url.pathname);
    if (!handler) {
      req.resume();
      return send(res, { status: known ? 405 : 404, body: { error: known ? 'method not allowed' : 'not found' } });
    }
    let body: Buffer;
    try {
      body = await readBody(req, this.maxBody);
    } catch (err) {
      return send(res, { status: (err as { status?: number }).status ?? 400, body: { error: (err as Error).message } });
    }
    try {
      send(res, await handler({ method, path: url.pathname, query: url.searchParams, headers: req.headers, body }));
    } catch (err) {
      this.opts.logger.error({ err, path: url.pathname }, 'http handler failed');
      if (!res.headersSent) send(res, { status: 500, body: { error: 'internal error' } });
    }
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      req.resume();
      return reject(Object.assign(new Error('payload too large'), { status: 413 }));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.destroy();
        reject(Object.assign(new Error('payload too large'), { status: 413 }));
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, r: HttpResponse): void {
  if (res.headersSent) return;
  const isJson = r.body !== undefined && typeof r.body === 'object' && !Buffer.isBuffer(r.body);
  const payload = r.body === undefined ? '' : isJson ? JSON.stringify(r.body) : (r.body as string | Buffer);
  res.writeHead(r.status, {
    'content-type': isJson ? 'application/json' : 'text/plain; charset=utf-8',
    ...r.headers,
  });
  res.end(payload);
}
