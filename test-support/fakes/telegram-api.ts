/**
 * A loopback fake of the Telegram Bot API (https://core.telegram.org/bots/api) for tests: grammY
 * talks to it through `new Bot(token, { client: { apiRoot } })` exactly as to the real server
 * (`POST {apiRoot}/bot{token}/{method}` with a JSON body, answers `{ ok, result }` or
 * `{ ok: false, error_code, description, parameters? }`).
 *
 * It validates the documented request shapes the product relies on (required fields, text
 * 1–4096 characters, inline keyboard shape, callback_data 1–64 bytes → `BUTTON_DATA_INVALID`,
 * callback answers once per query), keeps what each chat sees (messages, edits, the reply
 * keyboard), records every call, serves queued updates to `getUpdates` (offset and long-poll
 * timeout honoured) or posts them to the webhook set with `setWebhook`, and injects faults:
 * 429 with `retry_after`, a user who blocked the bot (403), or any error for the next N calls.
 *
 * Deviations from the real server, on purpose: webhooks may be plain http on any port (loopback),
 * and updates are not posted to the webhook by themselves — a test posts them with `deliver`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Update, UserFromGetMe } from 'grammy/types';

export interface ApiCall {
  method: string;
  params: Record<string, any>;
  /** What the fake answered. */
  response: ApiResponse;
  at: number;
  /** Made by Telegram from a webhook's answer, not requested by the bot. */
  viaWebhookAnswer?: true;
}

export type ApiResponse = { ok: true; result: unknown } | { ok: false; error_code: number; description: string; parameters?: { retry_after?: number } };

export interface SentMessage {
  message_id: number;
  chatId: number;
  text: string;
  /** The inline keyboard currently attached (edits replace it). */
  inline: InlineButton[][] | null;
  /** The reply markup given when sent (reply keyboards, remove_keyboard). */
  sentMarkup: Record<string, any> | null;
  date: number;
  editCount: number;
}

export interface InlineButton {
  text: string;
  callback_data?: string;
  url?: string;
}

export interface Fault {
  error_code: number;
  description: string;
  parameters?: { retry_after?: number };
}

export const BLOCKED: Fault = { error_code: 403, description: 'Forbidden: bot was blocked by the user' };
export const retryAfter = (seconds: number): Fault => ({
  error_code: 429,
  description: `Too Many Requests: retry after ${seconds}`,
  parameters: { retry_after: seconds },
});

export const NOT_MODIFIED =
  'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message';

class ApiError extends Error {
  constructor(
    readonly error_code: number,
    readonly description: string,
  ) {
    super(description);
  }
}

const bad = (description: string) => new ApiError(400, `Bad Request: ${description}`);

const MAX_TEXT = 4096;
const MAX_CALLBACK_BYTES = 64;
const MAX_CALLBACK_ANSWER = 200;

interface PendingPoll {
  offset: number;
  limit: number;
  /** Answers the pending request: updates, or an error (a newer getUpdates terminated it). */
  settle: (result: Update[] | ApiError) => void;
  timer: NodeJS.Timeout;
}

export interface FakeTelegramOptions {
  token?: string;
  bot?: Partial<UserFromGetMe>;
}

export class FakeTelegramApi {
  readonly calls: ApiCall[] = [];
  readonly token: string;
  readonly bot: UserFromGetMe;
  /** Every message the bot sent, by message_id. */
  readonly messages = new Map<number, SentMessage>();
  /** The reply keyboard each chat currently shows (null: none). */
  readonly replyKeyboards = new Map<number, Record<string, any> | null>();
  webhook: { url: string; secret: string | null; allowedUpdates: string[] | null } | null = null;
  /** Callback query ids issued by `callbackQuery` → times answered. */
  readonly callbackAnswers = new Map<string, number>();
  readonly commands = new Map<string, { command: string; description: string }[]>();
  /** Files users sent, as getFile and the file endpoint serve them (`/file/bot<token>/<file_path>`). */
  readonly files = new Map<string, { path: string; data: Buffer; mime: string }>();
  private nextFileId = 1;

  private server!: Server;
  private port = 0;
  private queue: Update[] = [];
  private confirmed = 0;
  private polls = new Set<PendingPoll>();
  private faults = new Map<string, Fault[]>();
  private delays = new Map<string, number[]>();
  private blockedChats = new Set<number>();
  private nextMessageId = 1;
  private nextUpdateId = 1;
  private nextCallbackId = 1;
  private listeners = new Set<() => void>();

  private constructor(opts: FakeTelegramOptions) {
    this.token = opts.token ?? '123456:TEST-token_for-the-fake';
    this.bot = {
      id: 7_000_001,
      is_bot: true,
      first_name: 'Кезек',
      username: 'kezek_test_bot',
      can_join_groups: false,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
      ...opts.bot,
    } as UserFromGetMe;
  }

  static async start(opts: FakeTelegramOptions = {}): Promise<FakeTelegramApi> {
    const fake = new FakeTelegramApi(opts);
    fake.server = createServer((req, res) => void fake.dispatch(req, res));
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.port = (fake.server.address() as AddressInfo).port;
    return fake;
  }

  get apiRoot(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    for (const poll of this.polls) {
      clearTimeout(poll.timer);
      poll.settle([]);
    }
    this.polls.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  // ---- programming the fake ------------------------------------------------------------------

  /** The next `times` calls of `method` fail with `fault` (in order, after faults already queued). */
  failNext(method: string, fault: Fault, times = 1): void {
    const list = this.faults.get(method) ?? [];
    for (let i = 0; i < times; i++) list.push(fault);
    this.faults.set(method, list);
  }

  /** The next `times` calls of `method` are answered only after `ms` (a slow Telegram). */
  delayNext(method: string, ms: number, times = 1): void {
    const list = this.delays.get(method) ?? [];
    for (let i = 0; i < times; i++) list.push(ms);
    this.delays.set(method, list);
  }

  /** The user blocked the bot: every message to the chat is refused with 403 until `unblock`. */
  block(chatId: number): void {
    this.blockedChats.add(chatId);
  }

  unblock(chatId: number): void {
    this.blockedChats.delete(chatId);
  }

  /** Gives an update its update_id (when it has none) — the id Telegram would assign. */
  stamp(update: Omit<Update, 'update_id'> & { update_id?: number }): Update {
    if (update.update_id === undefined) (update as Update).update_id = this.nextUpdateId++;
    else this.nextUpdateId = Math.max(this.nextUpdateId, update.update_id + 1);
    return update as Update;
  }

  /** getUpdates requests held open, waiting for an update or their timeout. */
  get heldPolls(): number {
    return this.polls.size;
  }

  /** Queues an update for getUpdates (long polling). */
  enqueue(update: Omit<Update, 'update_id'> & { update_id?: number }): Update {
    const u = this.stamp(update);
    this.queue.push(u);
    this.flushPolls();
    return u;
  }

  /**
   * Queues an update again although it was confirmed — what Telegram does when the bot died after
   * processing an update but before confirming it with the next getUpdates offset.
   */
  redeliver(update: Update): void {
    this.confirmed = Math.min(this.confirmed, update.update_id);
    this.queue.push(update);
    this.queue.sort((a, b) => a.update_id - b.update_id);
    this.flushPolls();
  }

  /** Updates queued and not yet confirmed by an offset. */
  get pendingUpdates(): number {
    return this.queue.filter((u) => u.update_id >= this.confirmed).length;
  }

  /**
   * Posts an update to the webhook, with the secret header Telegram sends, and makes the call the
   * answer carries, if any, as Telegram does; returns the HTTP status.
   */
  async deliver(update: Omit<Update, 'update_id'> & { update_id?: number }, opts: { secret?: string | null } = {}): Promise<number> {
    if (!this.webhook) throw new Error('no webhook is set');
    const u = this.stamp(update);
    const secret = opts.secret === undefined ? this.webhook.secret : opts.secret;
    const res = await fetch(this.webhook.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(secret !== null ? { 'x-telegram-bot-api-secret-token': secret } : {}) },
      body: JSON.stringify(u),
    });
    const body = await res.text();
    if (res.status === 200) await this.webhookAnswered(res.headers.get('content-type'), body);
    return res.status;
  }

  /**
   * A webhook's 200 answer: a JSON object with a `method` is a Bot API call Telegram makes for the
   * bot ("Making requests when getting updates"); its result is not reported back. Anything else
   * is only an acknowledgement. Returns the call's response, or null when there was no call.
   */
  async webhookAnswered(contentType: string | null, body: string): Promise<ApiResponse | null> {
    if (!contentType?.startsWith('application/json') || body.length === 0) return null;
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch {
      return null;
    }
    if (typeof value !== 'object' || value === null || typeof (value as { method?: unknown }).method !== 'string') return null;
    const { method, ...params } = value as { method: string } & Record<string, any>;
    return this.perform(method, params, null);
  }

  /** A callback query id the fake knows, so answerCallbackQuery can be checked. */
  issueCallbackId(): string {
    const id = String(9_000_000_000 + this.nextCallbackId++);
    this.callbackAnswers.set(id, 0);
    return id;
  }

  // ---- reading what happened -----------------------------------------------------------------

  callsOf(method: string): ApiCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Messages the bot sent to a chat, oldest first, as the chat shows them now (edits applied). */
  chat(chatId: number): SentMessage[] {
    return [...this.messages.values()].filter((m) => m.chatId === chatId);
  }

  lastMessage(chatId: number): SentMessage | undefined {
    return this.chat(chatId).at(-1);
  }

  /** Resolves when `predicate` holds over the calls recorded (checked after every call). */
  waitFor(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!predicate()) return;
        this.listeners.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(new Error('FakeTelegramApi.waitFor timed out'));
      }, timeoutMs);
      this.listeners.add(check);
    });
  }

  // ---- the HTTP side -------------------------------------------------------------------------

  /**
   * A file a user sends: what Telegram keeps and names with a file_id. `declaredSize` overrides
   * the size getFile reports (Telegram reports the real one; a test may want a lie).
   */
  addFile(data: Buffer, opts: { name?: string; mime?: string; declaredSize?: number } = {}): { file_id: string; file_unique_id: string; file_size: number } {
    const n = this.nextFileId++;
    const file_id = `AgACAgIAAxkBAAI${n}fake`;
    this.files.set(file_id, { path: `documents/file_${n}_${opts.name ?? 'photo.jpg'}`, data, mime: opts.mime ?? 'application/octet-stream' });
    return { file_id, file_unique_id: `AQAD${n}`, file_size: opts.declaredSize ?? data.length };
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const download = /^\/file\/bot([^/]+)\/(.+)$/.exec(new URL(req.url ?? '/', 'http://x').pathname);
    if (download && req.method === 'GET') return this.serveFile(res, download[1]!, decodeURIComponent(download[2]!));
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(new URL(req.url ?? '/', 'http://x').pathname);
    if (!match || req.method !== 'POST') return this.reply(res, { ok: false, error_code: 404, description: 'Not Found' });
    const [, token, method] = match as unknown as [string, string, string];
    if (token !== this.token) return this.reply(res, { ok: false, error_code: 401, description: 'Unauthorized' });

    let params: Record<string, any> = {};
    const raw = Buffer.concat(chunks).toString('utf8');
    if (raw.length > 0) {
      try {
        params = JSON.parse(raw);
      } catch {
        return this.reply(res, { ok: false, error_code: 400, description: "Bad Request: can't parse JSON" });
      }
    }

    this.reply(res, await this.perform(method, params, res));
  }

  /** Makes a call (faults and delays programmed for its method apply) and records it. */
  private async perform(method: string, params: Record<string, any>, res: ServerResponse | null): Promise<ApiResponse> {
    const delay = this.delays.get(method)?.shift();
    if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
    let response: ApiResponse;
    const fault = this.faults.get(method)?.shift();
    if (fault) {
      response = { ok: false, ...fault };
    } else {
      try {
        response = { ok: true, result: await this.call(method, params, res) };
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        response = { ok: false, error_code: err.error_code, description: err.description };
      }
    }
    this.calls.push({ method, params, response, at: Date.now(), ...(res ? {} : { viaWebhookAnswer: true as const }) });
    for (const listener of [...this.listeners]) listener();
    return response;
  }

  private serveFile(res: ServerResponse, token: string, filePath: string): void {
    const f = token === this.token ? [...this.files.values()].find((x) => x.path === filePath) : undefined;
    this.calls.push({ method: 'file', params: { path: filePath }, response: { ok: Boolean(f) } as ApiResponse, at: Date.now() });
    if (!f) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': f.mime, 'content-length': String(f.data.length) });
    res.end(f.data);
  }

  private reply(res: ServerResponse, body: ApiResponse): void {
    if (res.destroyed) return;
    res.writeHead(body.ok ? 200 : body.error_code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private async call(method: string, p: Record<string, any>, res: ServerResponse | null): Promise<unknown> {
    switch (method) {
      case 'getMe':
        return this.bot;
      case 'getUpdates':
        if (!res) throw bad('getUpdates can not be made in a webhook answer');
        return this.getUpdates(p, res);
      case 'setWebhook':
        return this.setWebhook(p);
      case 'deleteWebhook':
        this.webhook = null;
        if (p.drop_pending_updates) this.queue = [];
        return true;
      case 'getWebhookInfo':
        return {
          url: this.webhook?.url ?? '',
          has_custom_certificate: false,
          pending_update_count: this.webhook ? this.pendingUpdates : 0,
          ...(this.webhook?.allowedUpdates ? { allowed_updates: this.webhook.allowedUpdates } : {}),
        };
      case 'setMyCommands':
        return this.setMyCommands(p);
      case 'sendMessage':
        return this.sendMessage(p);
      case 'editMessageText':
        return this.editMessageText(p);
      case 'editMessageReplyMarkup':
        return this.editMessageReplyMarkup(p);
      case 'answerCallbackQuery':
        return this.answerCallbackQuery(p);
      case 'getFile': {
        const f = typeof p.file_id === 'string' ? this.files.get(p.file_id) : undefined;
        if (!f) throw bad('Bad Request: invalid file_id');
        return { file_id: p.file_id, file_unique_id: 'AQAD', file_size: f.data.length, file_path: f.path };
      }
      default:
        throw new ApiError(404, 'Not Found');
    }
  }

  private getUpdates(p: Record<string, any>, res: ServerResponse): Promise<Update[]> | Update[] {
    if (this.webhook) {
      throw new ApiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
    }
    const offset = optionalInt(p.offset, 'offset') ?? 0;
    const limit = Math.min(100, Math.max(1, optionalInt(p.limit, 'limit') ?? 100));
    const timeout = Math.max(0, optionalInt(p.timeout, 'timeout') ?? 0);
    // An offset confirms every update before it: they are never returned again.
    if (offset > 0) this.confirm(offset);
    // A newer getUpdates terminates the pending one, as on the real server.
    for (const poll of this.polls) {
      clearTimeout(poll.timer);
      this.polls.delete(poll);
      poll.settle(new ApiError(409, 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running'));
    }
    const ready = this.available(offset, limit);
    if (ready.length > 0 || timeout === 0) return ready;
    return new Promise<Update[]>((resolve, reject) => {
      const poll: PendingPoll = {
        offset,
        limit,
        settle: (result) => {
          res.off('close', onClose);
          if (result instanceof ApiError) reject(result);
          else resolve(result);
        },
        timer: setTimeout(() => {
          this.polls.delete(poll);
          poll.settle([]);
        }, timeout * 1000),
      };
      // The client gave up (a stopped runner aborts its request): forget the poll.
      const onClose = () => {
        if (!res.writableEnded) {
          clearTimeout(poll.timer);
          this.polls.delete(poll);
          resolve([]);
        }
      };
      res.on('close', onClose);
      this.polls.add(poll);
    });
  }

  private confirm(offset: number): void {
    this.confirmed = Math.max(this.confirmed, offset);
    this.queue = this.queue.filter((u) => u.update_id >= this.confirmed);
  }

  private available(offset: number, limit: number): Update[] {
    return this.queue.filter((u) => u.update_id >= Math.max(offset, this.confirmed)).slice(0, limit);
  }

  private flushPolls(): void {
    for (const poll of [...this.polls]) {
      const ready = this.available(poll.offset, poll.limit);
      if (ready.length === 0) continue;
      clearTimeout(poll.timer);
      this.polls.delete(poll);
      poll.settle(ready);
    }
  }

  private setWebhook(p: Record<string, any>): true {
    if (typeof p.url !== 'string' || p.url === '') throw bad('bad webhook: An HTTPS URL must be provided for webhook');
    let url: URL;
    try {
      url = new URL(p.url);
    } catch {
      throw bad('bad webhook: Failed to resolve host: Name or service not known');
    }
    if (p.secret_token !== undefined && (typeof p.secret_token !== 'string' || !/^[A-Za-z0-9_-]{1,256}$/.test(p.secret_token))) {
      throw bad('secret token contains unallowed characters');
    }
    const allowed = p.allowed_updates === undefined ? null : p.allowed_updates;
    if (allowed !== null && (!Array.isArray(allowed) || allowed.some((a: unknown) => typeof a !== 'string'))) {
      throw bad("can't parse allowed updates");
    }
    this.webhook = { url: url.toString(), secret: p.secret_token ?? null, allowedUpdates: allowed };
    return true;
  }

  private setMyCommands(p: Record<string, any>): true {
    if (!Array.isArray(p.commands)) throw bad('parameter "commands" is required');
    if (p.commands.length > 100) throw bad('too many commands');
    for (const c of p.commands) {
      if (typeof c?.command !== 'string' || !/^[a-z0-9_]{1,32}$/.test(c.command)) throw bad('BOT_COMMAND_INVALID');
      if (typeof c.description !== 'string' || c.description.trim().length === 0 || c.description.length > 256) {
        throw bad('BOT_COMMAND_DESCRIPTION_INVALID');
      }
    }
    const lang = p.language_code ?? '';
    if (lang !== '' && !/^[a-z]{2}$/.test(lang)) throw bad('invalid language code specified');
    const scope = p.scope?.type ?? 'default';
    this.commands.set(`${scope}:${lang}`, p.commands);
    return true;
  }

  private chatIdOf(p: Record<string, any>): number {
    const id = p.chat_id;
    if (id === undefined || id === null || id === '') throw bad('chat_id is empty');
    const n = typeof id === 'number' ? id : /^-?\d+$/.test(String(id)) ? Number(id) : NaN;
    if (!Number.isSafeInteger(n)) throw bad('chat not found');
    if (this.blockedChats.has(n)) throw new ApiError(BLOCKED.error_code, BLOCKED.description);
    return n;
  }

  private sendMessage(p: Record<string, any>) {
    const chatId = this.chatIdOf(p);
    const text = checkText(p.text);
    if (p.parse_mode !== undefined && !['HTML', 'Markdown', 'MarkdownV2'].includes(p.parse_mode)) {
      throw bad(`unsupported parse_mode`);
    }
    const markup = p.reply_markup === undefined ? null : parseMarkup(p.reply_markup, false);
    const message: SentMessage = {
      message_id: this.nextMessageId++,
      chatId,
      text,
      inline: markup?.inline_keyboard ?? null,
      sentMarkup: markup,
      date: Math.floor(Date.now() / 1000),
      editCount: 0,
    };
    this.messages.set(message.message_id, message);
    if (markup?.keyboard) this.replyKeyboards.set(chatId, markup);
    if (markup?.remove_keyboard) this.replyKeyboards.set(chatId, null);
    return this.toApiMessage(message);
  }

  private editable(p: Record<string, any>): SentMessage {
    if (p.inline_message_id !== undefined) throw bad('inline messages are not used by this bot');
    const chatId = this.chatIdOf(p);
    if (!Number.isSafeInteger(p.message_id)) throw bad('message identifier is not specified');
    const message = this.messages.get(p.message_id);
    if (!message || message.chatId !== chatId) throw bad('message to edit not found');
    return message;
  }

  private editMessageText(p: Record<string, any>) {
    const message = this.editable(p);
    const text = checkText(p.text);
    const markup = p.reply_markup === undefined ? null : parseMarkup(p.reply_markup, true);
    const inline = markup?.inline_keyboard ?? null;
    if (text === message.text && JSON.stringify(inline) === JSON.stringify(message.inline)) throw bad(NOT_MODIFIED.slice('Bad Request: '.length));
    message.text = text;
    message.inline = inline;
    message.editCount++;
    return this.toApiMessage(message);
  }

  private editMessageReplyMarkup(p: Record<string, any>) {
    const message = this.editable(p);
    const markup = p.reply_markup === undefined ? null : parseMarkup(p.reply_markup, true);
    const inline = markup?.inline_keyboard ?? null;
    if (JSON.stringify(inline) === JSON.stringify(message.inline)) throw bad(NOT_MODIFIED.slice('Bad Request: '.length));
    message.inline = inline;
    message.editCount++;
    return this.toApiMessage(message);
  }

  private answerCallbackQuery(p: Record<string, any>): true {
    const id = p.callback_query_id;
    const answered = typeof id === 'string' ? this.callbackAnswers.get(id) : undefined;
    if (answered === undefined || answered > 0) throw bad('query is too old and response timeout expired or query ID is invalid');
    if (p.text !== undefined && (typeof p.text !== 'string' || p.text.length > MAX_CALLBACK_ANSWER)) throw bad('MESSAGE_TOO_LONG');
    this.callbackAnswers.set(id, answered + 1);
    return true;
  }

  private toApiMessage(m: SentMessage) {
    return {
      message_id: m.message_id,
      from: this.bot,
      chat: { id: m.chatId, type: 'private', first_name: 'Parent' },
      date: m.date,
      ...(m.editCount > 0 ? { edit_date: Math.floor(Date.now() / 1000) } : {}),
      text: m.text,
      ...(m.inline ? { reply_markup: { inline_keyboard: m.inline } } : {}),
    };
  }
}

function optionalInt(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n)) throw bad(`parameter "${name}" must be an integer`);
  return n;
}

function checkText(text: unknown): string {
  if (typeof text !== 'string' || text.trim().length === 0) throw bad('message text is empty');
  if (text.length > MAX_TEXT) throw bad('message is too long');
  return text;
}

/** Validates reply_markup as documented; edits accept only inline keyboards. */
function parseMarkup(raw: unknown, inlineOnly: boolean): Record<string, any> {
  let markup: any = raw;
  if (typeof raw === 'string') {
    try {
      markup = JSON.parse(raw);
    } catch {
      throw bad("can't parse reply keyboard markup JSON object");
    }
  }
  if (typeof markup !== 'object' || markup === null) throw bad("can't parse reply keyboard markup JSON object");
  if ('inline_keyboard' in markup) {
    const rows = markup.inline_keyboard;
    if (!Array.isArray(rows) || rows.some((r: unknown) => !Array.isArray(r))) throw bad('field "inline_keyboard" must be an Array of Arrays');
    if (rows.length > 100) throw bad('too many rows');
    for (const row of rows as unknown[][]) {
      if (row.length > 8) throw bad('BUTTONS_TOO_MUCH');
      for (const b of row as any[]) {
        if (typeof b?.text !== 'string' || b.text.length === 0) throw bad('text buttons are unallowed in the inline keyboard');
        const kinds = ['callback_data', 'url', 'web_app', 'login_url', 'switch_inline_query', 'copy_text', 'pay'].filter((k) => k in b);
        if (kinds.length !== 1) throw bad('text buttons are unallowed in the inline keyboard');
        if ('callback_data' in b) {
          const bytes = typeof b.callback_data === 'string' ? Buffer.byteLength(b.callback_data, 'utf8') : 0;
          if (bytes < 1 || bytes > MAX_CALLBACK_BYTES) throw bad('BUTTON_DATA_INVALID');
        }
      }
    }
    return markup;
  }
  if (inlineOnly) throw bad('inline keyboard expected');
  if ('keyboard' in markup) {
    const rows = markup.keyboard;
    if (!Array.isArray(rows) || rows.some((r: unknown) => !Array.isArray(r))) throw bad('field "keyboard" must be an Array of Arrays');
    for (const row of rows as unknown[][]) {
      for (const b of row as any[]) {
        const text = typeof b === 'string' ? b : b?.text;
        if (typeof text !== 'string' || text.length === 0) throw bad('keyboard button text is empty');
        if (typeof b === 'object' && b.request_contact && b.request_location) throw bad('keyboard button may request either contact or location');
      }
    }
    return markup;
  }
  if (markup.remove_keyboard === true || markup.force_reply === true) return markup;
  throw bad('can\'t find field "inline_keyboard"');
}
