/**
 * The conversation benchmark's other side, run in a worker thread (scripts/bench/conversation.ts
 * starts it): the loopback fake Bot API and the simulated parents who post webhooks to the bot.
 * Telegram and its users live on other machines in production; a thread of their own keeps
 * their CPU out of the product's event loop, which is the thing measured.
 *
 * A parent waits for the webhook's answer (the bot's replies are sent by then), reads for a think
 * time drawn from [thinkMs.min, thinkMs.max], then presses the next button — the whole
 * conversation: /start, language, own contact, IIN, extend, the six questions, the confirmation.
 * thinkMs 0–0 is the saturation run: every parent presses again at once.
 */
import { Agent, request } from 'node:http';
import { parentPort } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { decodeAction } from '../../src/conversation/core/action-codec.ts';
import { FakeTelegramApi } from '../../test-support/fakes/telegram-api.ts';
import { callbackQuery, contactMessage, startCommand, textMessage, userFor, type NewUpdate } from '../../test-support/fakes/telegram-updates.ts';
import { nextPress } from '../chaos/autopilot.ts';
import { createRandom } from '../../src/domain/random.ts';

export interface ThinkTime {
  min: number;
  max: number;
}

export type PlatformRequest =
  | { type: 'startFake' }
  | { type: 'closeFake' }
  | {
      type: 'run';
      /** `conversation`: the questionnaire autopilot; `echo`: `updatesPerParent` texts to the echo bot. */
      script: 'conversation' | 'echo';
      url: string;
      secret: string;
      parents: { phone: string; iin: string }[];
      /** Telegram user id of the first parent; the others follow. */
      firstUserId: number;
      think: ThinkTime;
      updatesPerParent?: number;
      seed: number;
    };

export type PlatformReply =
  | { type: 'fakeStarted'; apiRoot: string; token: string }
  | { type: 'fakeClosed' }
  | { type: 'ran'; completed: number; posted: number; failures: number; seconds: number };

const MAX_PRESSES = 40;

/**
 * The parents' webhook posts, over kept-alive connections with node:http: with fetch (undici) this
 * thread was busy 1.4 ms per update instead of 0.8 ms, CPU the 2-core machine took from the product
 * and its database (Telegram's servers are not on the product's machine).
 */
const agent = new Agent({ keepAlive: true });
function postJson(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; contentType: string | null; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'] ?? null, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** What each chat shows now, kept from the fake's call log incrementally (the fake's own lookups scan every message). */
class Chats {
  private seen = 0;
  private readonly keyboards = new Map<number, { messageId: number; date: number; text: string; buttons: { text: string; data: string }[] }>();
  constructor(private readonly fake: FakeTelegramApi) {}

  keyboard(chatId: number) {
    const calls = this.fake.calls;
    for (; this.seen < calls.length; this.seen++) {
      const c = calls[this.seen]!;
      if ((c.method !== 'sendMessage' && c.method !== 'editMessageText') || !c.response.ok) continue;
      const inline = c.params.reply_markup?.inline_keyboard as { text: string; callback_data?: string }[][] | undefined;
      if (!inline) continue;
      const result = c.response.result as { message_id?: number; date?: number };
      this.keyboards.set(Number(c.params.chat_id), {
        messageId: result.message_id ?? Number(c.params.message_id),
        date: result.date ?? Math.floor(Date.now() / 1000),
        text: String(c.params.text),
        buttons: inline
          .flat()
          .filter((b) => b.callback_data)
          .map((b) => ({ text: b.text, data: b.callback_data! })),
      });
    }
    return this.keyboards.get(chatId) ?? null;
  }
}

/** The fake Bot API of the run in progress (the product's or the echo bot's), and what its chats show. */
let fake: FakeTelegramApi | null = null;
let fakeChats: Chats | null = null;

async function run(req: Extract<PlatformRequest, { type: 'run' }>): Promise<PlatformReply> {
  const random = createRandom(req.seed);
  const think = () =>
    new Promise<void>((r) => (req.think.max <= 0 ? setImmediate(r) : setTimeout(r, req.think.min + random.float(0, req.think.max - req.think.min))));
  let posted = 0;
  let failures = 0;
  const post = async (update: NewUpdate) => {
    posted++;
    const res = await postJson(req.url, JSON.stringify(fake!.stamp(update)), { 'x-telegram-bot-api-secret-token': req.secret });
    if (res.status !== 200) failures++;
    // A call carried by the webhook's answer (the callback query's answer) is made by Telegram.
    else await fake!.webhookAnswered(res.contentType, res.body);
  };

  let completed = 0;
  const started = performance.now();
  await Promise.all(
    req.parents.map(async (p, i) => {
      const user = userFor(req.firstUserId + i, 'ru');
      // Parents do not all arrive in the same millisecond: each starts within the first think time.
      if (req.think.max > 0) await new Promise((r) => setTimeout(r, random.float(0, req.think.max)));
      if (req.script === 'echo') {
        for (let k = 0; k < (req.updatesPerParent ?? 1); k++) {
          await post(textMessage(user, `привет ${k}`));
          await think();
        }
        completed++;
        return;
      }
      if (await conversation(user, p, post, think)) completed++;
    }),
  );
  return { type: 'ran', completed, posted, failures, seconds: (performance.now() - started) / 1000 };
}

/** One parent's whole conversation; true when the extension was confirmed. */
async function conversation(
  user: ReturnType<typeof userFor>,
  parent: { phone: string; iin: string },
  post: (u: NewUpdate) => Promise<void>,
  think: () => Promise<void>,
): Promise<boolean> {
  const f = fake!;
  const chats = (fakeChats ??= new Chats(f));
  const press = async (data: string) => {
    const k = chats.keyboard(user.id)!;
    await post(
      callbackQuery(f, user, { message_id: k.messageId, chatId: user.id, text: k.text, inline: null, sentMarkup: null, date: k.date, editCount: 0 }, data),
    );
  };
  await post(startCommand(user));
  await think();
  const lang = chats.keyboard(user.id)?.buttons.find((b) => decodeAction(b.data)?.action.type === 'choose' && b.data.endsWith('.ru'));
  if (!lang) return false;
  await press(lang.data);
  await think();
  await post(contactMessage(user, parent.phone.slice(1)));
  await think();
  await post(textMessage(user, parent.iin));
  await think();
  await press('x.extend');
  let lastMessage = -1;
  let tickedHere = false;
  for (let step = 0; step < MAX_PRESSES; step++) {
    await think();
    const k = chats.keyboard(user.id);
    if (!k) return false;
    if (k.messageId !== lastMessage) tickedHere = false;
    lastMessage = k.messageId;
    const next = nextPress(k.buttons, tickedHere);
    if (!next) return false;
    if (decodeAction(next.data)?.action.type === 'toggle') tickedHere = true;
    await press(next.data);
    if (next.final) return true;
  }
  return false;
}

parentPort!.on('message', (req: PlatformRequest) => {
  const answer = async (): Promise<PlatformReply> => {
    switch (req.type) {
      case 'startFake':
        fake = await FakeTelegramApi.start();
        fakeChats = null;
        return { type: 'fakeStarted', apiRoot: fake.apiRoot, token: fake.token };
      case 'closeFake':
        await fake?.close();
        fake = null;
        return { type: 'fakeClosed' };
      case 'run':
        return run(req);
    }
  };
  answer().then(
    (reply) => parentPort!.postMessage(reply),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
});
