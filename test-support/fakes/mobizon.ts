/**
 * A loopback double of Mobizon's send endpoint (POST /service/Message/SendSmsMessage) for tests, at
 * MOBIZON_API_ROOT. It follows the documented request and answer: the query's `output=json`,
 * `api=v1` and `apiKey`; the form fields `recipient` (international format, digits only), `text`
 * and `from`; the envelope `{code, data, message}` — code 0 with `{campaignId, messageId, status}`
 * (ids as strings, as the live API sends them), 8 for a wrong key, 1 with the refused fields for a
 * validation error. It records what it accepted, can be told to fail (an API code or an HTTP status,
 * for the next n requests or one recipient), to hold its answers (a slow provider) or never to
 * answer (a timeout).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface MobizonFault {
  /** An API answer code (HTTP 200), e.g. 30 (too many requests), 8 (login), 1 (validation). */
  code?: number;
  /** `data` of the answer; for code 1 the refused fields, e.g. `{ recipient: '…' }`. */
  data?: unknown;
  message?: string;
  /** Answer with this HTTP status instead (a body that is not the API's envelope). */
  httpStatus?: number;
  /** A Retry-After header (with `httpStatus`). */
  retryAfter?: number;
  /** Never answer (the client's timeout). */
  hang?: boolean;
  /** Only requests to this recipient. */
  recipient?: string;
  /** How many requests it answers; 1 by default. */
  times?: number;
}

export interface MobizonMessage {
  recipient: string;
  text: string;
  from: string | null;
  messageId: string;
  campaignId: string;
}

export interface MobizonCall {
  method: string;
  path: string;
  query: Record<string, string>;
  form: Record<string, string>;
  contentType: string | undefined;
  /** The API code answered, or null for an HTTP-level fault or a hang. */
  code: number | null;
  httpStatus: number;
}

export interface MobizonDoubleOptions {
  apiKey: string;
  /** Registered sender names; `from` outside them is refused (code 1, field `from`). Default: none registered, `from` refused. */
  senderNames?: string[];
  /** Numbers the operator does not know (code 1, field `recipient`). */
  unknownNumbers?: string[];
  /** Every answer is held this long (a slow provider; a send stays in flight). */
  delayMs?: number;
}

/** Longer texts are refused (code 1, field `text`); the API's own limit is about as far. */
export const MAX_TEXT = 1000;

export class MobizonDouble {
  readonly calls: MobizonCall[] = [];
  readonly messages: MobizonMessage[] = [];
  private readonly faults: (MobizonFault & { left: number })[] = [];
  private readonly hung: ServerResponse[] = [];
  private server: Server | null = null;
  private port = 0;
  private nextId = 40_000_000;

  private constructor(readonly opts: MobizonDoubleOptions) {}

  static async start(opts: MobizonDoubleOptions): Promise<MobizonDouble> {
    const fake = new MobizonDouble(opts);
    fake.server = createServer((req, res) => void fake.handle(req, res));
    await new Promise<void>((resolve) => fake.server!.listen(0, '127.0.0.1', resolve));
    fake.port = (fake.server.address() as AddressInfo).port;
    return fake;
  }

  /** The root to configure as MOBIZON_API_ROOT. */
  get apiRoot(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  fail(fault: MobizonFault): void {
    this.faults.push({ ...fault, left: fault.times ?? 1 });
  }

  /** Messages accepted per recipient. */
  perRecipient(): Map<string, number> {
    const m = new Map<string, number>();
    for (const msg of this.messages) m.set(msg.recipient, (m.get(msg.recipient) ?? 0) + 1);
    return m;
  }

  async close(): Promise<void> {
    for (const res of this.hung.splice(0)) res.destroy();
    const server = this.server;
    this.server = null;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://double');
    const call: MobizonCall = {
      method: req.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      form: Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))),
      contentType: req.headers['content-type'],
      code: null,
      httpStatus: 200,
    };
    this.calls.push(call);
    const fault = this.takeFault(call.form['recipient']);
    if (fault?.hang) {
      this.hung.push(res);
      return;
    }
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      call.httpStatus = status;
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(typeof body === 'string' ? body : JSON.stringify(body));
      };
      if (this.opts.delayMs) setTimeout(send, this.opts.delayMs);
      else send();
    };
    if (fault?.httpStatus) {
      answer(fault.httpStatus, '<html><body>Bad Gateway</body></html>', fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {});
      return;
    }
    const envelope = fault?.code !== undefined ? { code: fault.code, data: fault.data ?? [], message: fault.message ?? '' } : this.validate(call);
    if (envelope) {
      call.code = envelope.code;
      answer(200, envelope);
      return;
    }
    const messageId = String(this.nextId++);
    const campaignId = String(this.nextId++);
    this.messages.push({ recipient: call.form['recipient']!, text: call.form['text']!, from: call.form['from'] ?? null, messageId, campaignId });
    call.code = 0;
    answer(200, { code: 0, data: { campaignId, messageId, status: 2 }, message: '' });
  }

  /** The documented checks, as the API answers them; null when the request is good. */
  private validate(call: MobizonCall): { code: number; data: unknown; message: string } | null {
    if (call.method !== 'POST' || call.path.toLowerCase() !== '/service/message/sendsmsmessage') return { code: 5, data: [], message: 'Неверный метод' };
    if (call.query['output'] !== 'json') return { code: 6, data: [], message: 'Неверный формат' };
    if (call.query['apiKey'] !== this.opts.apiKey) return { code: 8, data: [], message: 'Неверный ключ API' };
    if (!call.contentType?.startsWith('application/x-www-form-urlencoded')) return { code: 11, data: [], message: 'Нет параметров' };
    const { recipient, text, from } = call.form;
    if (recipient === undefined || text === undefined) return { code: 11, data: [], message: 'Не указаны обязательные параметры' };
    if (!/^\d{10,15}$/.test(recipient) || this.opts.unknownNumbers?.includes(recipient)) {
      return { code: 1, data: { recipient: 'Неверный номер получателя' }, message: 'Ошибка валидации' };
    }
    if (text.length === 0 || text.length > MAX_TEXT) return { code: 1, data: { text: 'Недопустимая длина текста' }, message: 'Ошибка валидации' };
    if (from !== undefined && !(this.opts.senderNames ?? []).includes(from)) {
      return { code: 1, data: { from: 'Подпись не зарегистрирована' }, message: 'Ошибка валидации' };
    }
    return null;
  }

  private takeFault(recipient: string | undefined): MobizonFault | null {
    const i = this.faults.findIndex((f) => f.left > 0 && (f.recipient === undefined || f.recipient === recipient));
    if (i < 0) return null;
    const f = this.faults[i]!;
    if (--f.left === 0) this.faults.splice(i, 1);
    return f;
  }
}
