/**
 * A loopback fake of the WhatsApp Cloud API's send endpoint (POST /{version}/{phone_number_id}/messages)
 * for tests, at WHATSAPP_API_ROOT. It checks the bearer token and every body against the documented
 * shapes and limits (reply buttons, lists, texts, templates), answers with the documented success
 * body or a Graph error body, can be told to fail (rate limits, closed window, bad token), and
 * records every call so tests can read what the bot sent.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeGraphOptions {
  token: string;
  phoneNumberId: string;
  version: string;
}

/** A programmed failure for the next matching request(s). */
export interface Fault {
  /** Graph `error.code`, e.g. 130429 (throughput), 131056 (pair rate), 131047 (window), 190 (token). */
  code: number;
  /** HTTP status of the error response; 400 by default (Meta's usual), 429 for HTTP rate limiting. */
  httpStatus?: number;
  subcode?: number;
  message?: string;
  /** Only requests to this recipient. */
  to?: string;
  /** How many requests fail; 1 by default. */
  times?: number;
  /** A Retry-After header, in seconds. */
  retryAfter?: number;
}

export interface GraphCall {
  method: string;
  path: string;
  authorization: string | undefined;
  /** The parsed JSON body (null when it did not parse). */
  body: any;
  status: number;
  /** Why the request was refused by validation, when it was. */
  rejected: string | null;
  /** Set when a programmed fault answered the request. */
  faultCode: number | null;
  messageId: string | null;
  /** When the request arrived (epoch ms). */
  at: number;
}

export const GRAPH_LIMITS = {
  textBody: 4096,
  buttonBody: 1024,
  listBody: 4096,
  footer: 60,
  headerText: 60,
  replyButtons: 3,
  replyTitle: 20,
  replyId: 256,
  listButton: 20,
  sections: 10,
  rows: 10,
  rowTitle: 24,
  rowDescription: 72,
  rowId: 200,
  sectionTitle: 24,
} as const;

export class FakeGraphApi {
  readonly calls: GraphCall[] = [];
  /**
   * Runs when a message is accepted, before the answer goes back: what the platform does when its
   * status webhook (a failure within milliseconds) overtakes its HTTP answer. Cleared by `clear`.
   */
  beforeAnswer: ((call: GraphCall) => Promise<void>) | null = null;
  private readonly faults: (Fault & { left: number })[] = [];
  /** Media users sent, by media id: the metadata call and the download serve them (bearer token checked). */
  readonly media = new Map<string, { data: Buffer; mime: string; declaredSize: number }>();
  private nextMedia = 1;

  /** A photo or document a user sent; `declaredSize` overrides the file_size the metadata reports. */
  addMedia(data: Buffer, mime: string, declaredSize = data.length): string {
    const id = `${1_500_000_000_000_000 + this.nextMedia++}`;
    this.media.set(id, { data, mime, declaredSize });
    return id;
  }
  private server: Server | null = null;
  private port = 0;

  private constructor(readonly opts: FakeGraphOptions) {}

  static async start(opts: FakeGraphOptions): Promise<FakeGraphApi> {
    const fake = new FakeGraphApi(opts);
    fake.server = createServer((req, res) => void fake.handle(req, res));
    await new Promise<void>((resolve) => fake.server!.listen(0, '127.0.0.1', resolve));
    fake.port = (fake.server.address() as AddressInfo).port;
    return fake;
  }

  /** The API root to configure as WHATSAPP_API_ROOT. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  fail(fault: Fault): void {
    this.faults.push({ ...fault, left: fault.times ?? 1 });
  }

  /** Messages the fake accepted (as a real API would deliver them), optionally to one recipient. */
  accepted(to?: string): any[] {
    return this.acceptedSince(0, to);
  }

  /**
   * The same among the calls from index `from` of `calls` on: a conversation step reads only its
   * own replies (scanning the whole log each step made a 10 000-update fuzz quadratic).
   */
  acceptedSince(from: number, to?: string): any[] {
    const out: any[] = [];
    for (let i = from; i < this.calls.length; i++) {
      const c = this.calls[i]!;
      if (c.status === 200 && (to === undefined || c.body?.to === to)) out.push(c.body);
    }
    return out;
  }

  /** Requests refused because they broke a documented shape or limit. */
  rejected(): GraphCall[] {
    return this.calls.filter((c) => c.rejected !== null);
  }

  clear(): void {
    this.calls.length = 0;
    this.faults.length = 0;
    this.beforeAnswer = null;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: any = null;
    try {
      body = raw.length > 0 ? JSON.parse(raw) : null;
    } catch {
      body = null;
    }
    const call: GraphCall = {
      method: req.method ?? 'GET',
      path: new URL(req.url ?? '/', this.url).pathname,
      authorization: req.headers.authorization,
      body,
      status: 0,
      rejected: null,
      faultCode: null,
      messageId: null,
      at: Date.now(),
    };
    this.calls.push(call);

    const answer = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      call.status = status;
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(payload));
    };
    const graphError = (status: number, code: number, message: string, subcode?: number, headers?: Record<string, string>) =>
      answer(status, errorBody(code, message, subcode), headers);

    if (call.method === 'GET') return this.serveMedia(call, res, answer, graphError);
    const expected = `/${this.opts.version}/${this.opts.phoneNumberId}/messages`;
    if (call.method !== 'POST' || !/^\/v\d+\.\d+\/[^/]+\/messages$/.test(call.path)) {
      call.rejected = `unknown endpoint ${call.method} ${call.path}`;
      return graphError(400, 100, `Unsupported ${call.method} request`, 33);
    }
    if (call.authorization !== `Bearer ${this.opts.token}`) {
      call.rejected = 'bad token';
      return graphError(401, 190, 'Invalid OAuth access token - Cannot parse access token');
    }
    if (call.path !== expected) {
      call.rejected = `wrong version or phone number id: ${call.path}`;
      return graphError(400, 100, 'Unsupported post request. Object with ID does not exist', 33);
    }
    if (req.headers['content-type']?.startsWith('application/json') !== true) {
      call.rejected = 'content-type is not application/json';
      return graphError(400, 100, 'Invalid parameter');
    }
    const problem = body === null ? 'body is not JSON' : validateMessage(body);
    if (problem) {
      call.rejected = problem;
      return graphError(400, 100, `(#100) Invalid parameter: ${problem}`);
    }
    const fault = this.takeFault(body.to);
    if (fault) {
      call.faultCode = fault.code;
      const headers: Record<string, string> = fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {};
      return graphError(fault.httpStatus ?? 400, fault.code, fault.message ?? defaultFaultMessage(fault.code), fault.subcode, headers);
    }
    call.messageId = `wamid.HBgL${randomBytes(18).toString('base64url')}`;
    await this.beforeAnswer?.(call);
    const recipient = body.to ?? body.recipient;
    return answer(200, {
      messaging_product: 'whatsapp',
      contacts: [{ input: recipient, wa_id: String(recipient).replace(/^\+/, '') }],
      messages: [body.type === 'template' ? { id: call.messageId, message_status: 'accepted' } : { id: call.messageId }],
    });
  }

  /**
   * GET /{version}/{media-id} → the documented metadata (url, mime_type, sha256, file_size, id);
   * GET /media-download/{media-id} → the bytes. Both need the bearer token, as Meta's do.
   */
  private serveMedia(
    call: GraphCall,
    res: ServerResponse,
    answer: (status: number, payload: unknown) => void,
    graphError: (status: number, code: number, message: string) => void,
  ): void {
    if (call.authorization !== `Bearer ${this.opts.token}`) {
      call.rejected = 'bad token';
      graphError(401, 190, 'Invalid OAuth access token - Cannot parse access token');
      return;
    }
    const download = /^\/media-download\/(\d+)$/.exec(call.path);
    const meta = /^\/v\d+\.\d+\/(\d+)$/.exec(call.path);
    const id = download?.[1] ?? meta?.[1];
    const m = id ? this.media.get(id) : undefined;
    if (!m) {
      call.rejected = `unknown media ${call.path}`;
      graphError(404, 100, 'Unsupported get request. Object does not exist');
      return;
    }
    call.status = 200;
    if (download) {
      res.writeHead(200, { 'content-type': m.mime, 'content-length': String(m.data.length) });
      res.end(m.data);
      return;
    }
    const sha256 = createHash('sha256').update(m.data).digest('hex');
    answer(200, { messaging_product: 'whatsapp', url: `${this.url}/media-download/${id}`, mime_type: m.mime, sha256, file_size: String(m.declaredSize), id });
  }

  private takeFault(to: string | undefined): Fault | null {
    const i = this.faults.findIndex((f) => f.to === undefined || f.to === to);
    if (i < 0) return null;
    const fault = this.faults[i]!;
    if (--fault.left <= 0) this.faults.splice(i, 1);
    return fault;
  }
}

export function errorBody(code: number, message: string, subcode?: number) {
  return {
    error: {
      message,
      type: 'OAuthException',
      code,
      ...(subcode !== undefined ? { error_subcode: subcode } : {}),
      error_data: { messaging_product: 'whatsapp', details: message },
      fbtrace_id: `A${randomBytes(8).toString('hex')}`,
    },
  };
}

function defaultFaultMessage(code: number): string {
  switch (code) {
    case 130429:
      return 'Rate limit hit';
    case 131056:
      return '(Business Account, Consumer Account) pair rate limit hit';
    case 131047:
      return 'Re-engagement message';
    case 131026:
      return 'Message Undeliverable';
    case 190:
      return 'Invalid OAuth access token';
    case 132001:
      return 'Template does not exist';
    default:
      return 'Error';
  }
}

// ——— validation of the documented shapes and limits ———

const isStr = (v: unknown): v is string => typeof v === 'string';
const within = (v: unknown, min: number, max: number): v is string => isStr(v) && v.length >= min && v.length <= max;

/** Why a send body breaks the documented shape or limits; null when it is fine. */
export function validateMessage(b: any): string | null {
  if (b.messaging_product !== 'whatsapp') return 'messaging_product must be "whatsapp"';
  if (!isStr(b.to) && !isStr(b.recipient)) return 'to or recipient is required';
  if (b.to !== undefined && !/^\+?\d{5,15}$/.test(b.to)) return `to is not a phone number: ${b.to}`;
  if (b.recipient_type !== undefined && b.recipient_type !== 'individual') return 'recipient_type must be "individual"';
  switch (b.type) {
    case 'text':
      return validateText(b.text);
    case 'interactive':
      return validateInteractive(b.interactive);
    case 'template':
      return validateTemplate(b.template);
    default:
      return `unsupported message type: ${String(b.type)}`;
  }
}

function validateText(t: any): string | null {
  if (!t || !within(t.body, 1, GRAPH_LIMITS.textBody)) return `text.body must be 1..${GRAPH_LIMITS.textBody} characters`;
  return null;
}

function validateInteractive(i: any): string | null {
  if (!i || typeof i !== 'object') return 'interactive is required';
  if (i.footer !== undefined && !within(i.footer?.text, 1, GRAPH_LIMITS.footer)) return 'footer.text over its limit';
  if (i.header !== undefined && i.header?.type === 'text' && !within(i.header.text, 1, GRAPH_LIMITS.headerText)) return 'header.text over its limit';
  if (i.type === 'button') {
    if (!within(i.body?.text, 1, GRAPH_LIMITS.buttonBody)) return `button body.text must be 1..${GRAPH_LIMITS.buttonBody} characters`;
    const buttons = i.action?.buttons;
    if (!Array.isArray(buttons) || buttons.length < 1) return 'action.buttons is required';
    if (buttons.length > GRAPH_LIMITS.replyButtons) return `at most ${GRAPH_LIMITS.replyButtons} reply buttons (got ${buttons.length})`;
    const ids = new Set<string>();
    const titles = new Set<string>();
    for (const btn of buttons) {
      if (btn?.type !== 'reply') return 'button type must be "reply"';
      if (!within(btn.reply?.id, 1, GRAPH_LIMITS.replyId)) return `reply id must be 1..${GRAPH_LIMITS.replyId} characters`;
      if (!within(btn.reply?.title, 1, GRAPH_LIMITS.replyTitle)) return `reply title over ${GRAPH_LIMITS.replyTitle} characters: ${btn.reply?.title}`;
      if (ids.has(btn.reply.id)) return 'reply ids must be unique';
      if (titles.has(btn.reply.title)) return 'reply titles must be unique';
      ids.add(btn.reply.id);
      titles.add(btn.reply.title);
    }
    return null;
  }
  if (i.type === 'list') {
    if (!within(i.body?.text, 1, GRAPH_LIMITS.listBody)) return `list body.text must be 1..${GRAPH_LIMITS.listBody} characters`;
    if (!within(i.action?.button, 1, GRAPH_LIMITS.listButton)) return `list button text over ${GRAPH_LIMITS.listButton} characters`;
    const sections = i.action?.sections;
    if (!Array.isArray(sections) || sections.length < 1) return 'action.sections is required';
    if (sections.length > GRAPH_LIMITS.sections) return `at most ${GRAPH_LIMITS.sections} sections`;
    let rows = 0;
    const ids = new Set<string>();
    for (const s of sections) {
      if (sections.length > 1 && !within(s?.title, 1, GRAPH_LIMITS.sectionTitle)) return 'each section needs a title when there are several';
      if (s?.title !== undefined && !within(s.title, 1, GRAPH_LIMITS.sectionTitle)) return `section title over ${GRAPH_LIMITS.sectionTitle} characters`;
      if (!Array.isArray(s?.rows) || s.rows.length < 1) return 'each section needs rows';
      for (const r of s.rows) {
        rows++;
        if (!within(r?.id, 1, GRAPH_LIMITS.rowId)) return `row id must be 1..${GRAPH_LIMITS.rowId} characters`;
        if (!within(r.title, 1, GRAPH_LIMITS.rowTitle)) return `row title over ${GRAPH_LIMITS.rowTitle} characters: ${r.title}`;
        if (r.description !== undefined && !within(r.description, 1, GRAPH_LIMITS.rowDescription)) {
          return `row description over ${GRAPH_LIMITS.rowDescription} characters`;
        }
        if (ids.has(r.id)) return 'row ids must be unique';
        ids.add(r.id);
      }
    }
    if (rows > GRAPH_LIMITS.rows) return `at most ${GRAPH_LIMITS.rows} rows in total (got ${rows})`;
    return null;
  }
  if (i.type === 'location_request_message') {
    if (!within(i.body?.text, 1, GRAPH_LIMITS.buttonBody)) return `location request body.text must be 1..${GRAPH_LIMITS.buttonBody} characters`;
    if (i.action?.name !== 'send_location' || Object.keys(i.action).length !== 1) return 'location request action must be { name: "send_location" }';
    return null;
  }
  return `unsupported interactive type: ${String(i.type)}`;
}

function validateTemplate(t: any): string | null {
  if (!t || !within(t.name, 1, 512)) return 'template.name is required';
  if (!t.language || !within(t.language.code, 2, 10)) return 'template.language.code is required';
  if (t.components !== undefined) {
    if (!Array.isArray(t.components)) return 'template.components must be an array';
    for (const c of t.components) {
      if (c?.type === 'body') {
        if (!Array.isArray(c.parameters)) return 'body parameters must be an array';
        for (const p of c.parameters) if (p?.type !== 'text' || !within(p.text, 1, 32_768)) return 'body parameter must be non-empty text';
      } else if (c?.type === 'button') {
        if (c.sub_type !== 'quick_reply' && c.sub_type !== 'url') return 'button sub_type must be quick_reply or url';
        if (!(Number.isInteger(Number(c.index)) && Number(c.index) >= 0 && Number(c.index) <= 9)) return 'button index must be 0..9';
        const p = c.parameters?.[0];
        if (c.sub_type === 'quick_reply' && (p?.type !== 'payload' || !within(p.payload, 1, 256))) return 'quick_reply needs a payload parameter';
      } else if (c?.type !== 'header') {
        return `unknown template component type: ${String(c?.type)}`;
      }
    }
  }
  return null;
}
