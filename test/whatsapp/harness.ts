/**
 * The WhatsApp channel end to end: the core on a test database, its HTTP server on a loopback
 * port, the fake Graph API as WHATSAPP_API_ROOT, and simulated parents who post signed webhook
 * deliveries and tap the buttons and list rows the bot sent them.
 */
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { WhatsAppChannel } from '../../bots/whatsapp/channel.ts';
import { assembleCore, type Core } from '../../src/app.ts';
import { manualClock, type ManualClock } from '../../src/clock.ts';
import { loadConfig, type Config } from '../../src/config/env.ts';
import { decodeAction } from '../../src/conversation/core/action-codec.ts';
import type { Action } from '../../src/conversation/core/io.ts';
import type { Locale } from '../../src/conversation/core/views.ts';
import { makeIin } from '../../src/domain/iin.ts';
import { createLogger } from '../../src/log.ts';
import type { PrismaClient } from '../../src/generated/prisma/client.ts';
import { FakeGraphApi } from '../../test-support/fakes/graph-api.ts';
import { delivery, signed, wa, type BusinessNumber, type WaMessage } from '../../test-support/fakes/whatsapp-webhook.ts';
import { createTestDatabase, type TestDatabase, type TestDbKind } from '../../test-support/db.ts';
import { createApplication, createChild, createKindergarten, createParent, createSeason, truncateAll } from '../helpers/fixtures.ts';

export const NUMBER: BusinessNumber = { phoneNumberId: '106540352242922', displayPhoneNumber: '15550783881', wabaId: '102290129340398' };
export const APP_SECRET = 'test-app-secret-0123456789';
export const VERIFY_TOKEN = 'verify-me-please';
export const TOKEN = 'EAAtesttoken';
export const NOW = new Date('2026-11-20T06:00:00Z');
export const SEASON = {
  code: '2026',
  opensAt: new Date('2026-11-01T00:00:00Z'),
  deadline: new Date('2026-12-25T18:59:59Z'),
  validUntil: new Date('2027-12-25T18:59:59Z'),
};
export const OLD_VALIDITY = new Date('2026-12-25T18:59:59Z');

export interface Harness {
  core: Core;
  channel: WhatsAppChannel;
  fake: FakeGraphApi;
  clock: ManualClock;
  config: Config;
  prisma: () => PrismaClient;
  /** Base URL of the product's HTTP server. */
  url: () => string;
  post(payload: unknown, headers?: Record<string, string>): Promise<Response>;
  postRaw(body: string | Buffer, headers: Record<string, string>): Promise<Response>;
  user(waId: string, opts?: { userId?: string }): WaUser;
}

/** Sets up one core, server and fake per test file and database kind; empties the data before each test. `env` adds settings. */
export function useWhatsApp(kind: TestDbKind, env: Record<string, string> = {}): Harness {
  let db: TestDatabase;
  let core: Core;
  let channel: WhatsAppChannel;
  let fake: FakeGraphApi;
  let port = 0;
  const clock = manualClock(NOW);
  const h = {} as Harness;

  beforeAll(async () => {
    fake = await FakeGraphApi.start({ token: TOKEN, phoneNumberId: NUMBER.phoneNumberId, version: 'v23.0' });
    const config = loadConfig({
      WHATSAPP_TOKEN: TOKEN,
      WHATSAPP_PHONE_NUMBER_ID: NUMBER.phoneNumberId,
      WHATSAPP_APP_SECRET: APP_SECRET,
      WHATSAPP_VERIFY_TOKEN: VERIFY_TOKEN,
      WHATSAPP_API_ROOT: fake.url,
      WHATSAPP_API_VERSION: 'v23.0',
      SEED_DEMO: 'false',
      LOG_LEVEL: 'silent',
      ...env,
    });
    db = await createTestDatabase(kind);
    core = await assembleCore(db, config, { seedDemo: false, logger: createLogger('silent'), clock });
    channel = new WhatsAppChannel(core, config.whatsapp!, {
      retry: { attempts: 4, baseDelayMs: 1, maxDelayMs: 50, pairDelayMs: 5 },
      recoveryIntervalMs: 3_600_000,
      recoveryAgeMs: 5_000,
    });
    port = await core.http.listen(0, '127.0.0.1');
    await channel.start();
    Object.assign(h, { core, channel, fake, config });
  });

  afterAll(async () => {
    await channel?.stop();
    await core?.close();
    await fake?.close();
  });

  beforeEach(async () => {
    await channel.idle();
    await truncateAll(db.prisma);
    fake.clear();
    clock.set(NOW);
  });

  Object.assign(h, {
    clock,
    prisma: () => db.prisma,
    ...webhookPoster(
      () => port,
      () => channel,
    ),
    user: (waId: string, opts: { userId?: string } = {}) => new WaUser(h, waId, opts.userId),
  });
  return h;
}

/** A reply the bot sent, with its text and tappable controls flattened for assertions. */
/**
 * Posting to the webhook of the channel listening on `port()`; each post waits until it is
 * processed. Port and channel are read at call time: harnesses start them in beforeAll.
 */
export function webhookPoster(port: () => number, channel: () => Pick<WhatsAppChannel, 'idle'>): Pick<Harness, 'url' | 'postRaw' | 'post'> {
  const postRaw = async (body: string | Buffer, headers: Record<string, string>) => {
    const res = await fetch(`http://127.0.0.1:${port()}/webhooks/whatsapp`, { method: 'POST', body, headers });
    await res.text();
    await channel().idle();
    return res;
  };
  return {
    url: () => `http://127.0.0.1:${port()}`,
    postRaw,
    async post(payload: unknown, headers: Record<string, string> = {}) {
      const s = signed(payload, APP_SECRET);
      return postRaw(s.body, { ...s.headers, ...headers });
    },
  };
}

export interface Sent {
  type: 'text' | 'interactive' | 'template';
  kind: 'text' | 'button' | 'list' | 'location_request_message' | 'template';
  body: string;
  /** Reply buttons or list rows, in order. */
  controls: { id: string; title: string; description?: string }[];
  raw: any;
}

export function describeSent(body: any): Sent {
  if (body.type === 'text') return { type: 'text', kind: 'text', body: body.text.body, controls: [], raw: body };
  if (body.type === 'template') return { type: 'template', kind: 'template', body: body.template.name, controls: [], raw: body };
  const i = body.interactive;
  const controls =
    i.type === 'button'
      ? i.action.buttons.map((b: any) => ({ id: b.reply.id, title: b.reply.title }))
      : i.type === 'list'
        ? i.action.sections.flatMap((s: any) => s.rows)
        : [];
  return { type: 'interactive', kind: i.type, body: i.body.text, controls, raw: body };
}

type Matcher = string | Partial<Action> | ((c: { id: string; title: string; description?: string }) => boolean);

export class WaUser {
  /** The replies to this user's last message. */
  last: Sent[] = [];
  /** Every reply this user got. */
  all: Sent[] = [];

  constructor(
    private readonly h: Harness,
    readonly waId: string,
    readonly userId?: string,
  ) {}

  async send(message: WaMessage): Promise<Sent[]> {
    const from = this.h.fake.calls.length;
    const res = await this.h.post(delivery({ number: NUMBER, messages: [message] }));
    expect(res.status).toBe(200);
    this.last = this.h.fake.acceptedSince(from, this.waId).map(describeSent);
    this.all.push(...this.last);
    return this.last;
  }

  say(text: string): Promise<Sent[]> {
    return this.send(wa.text(this.waId, text, { userId: this.userId }));
  }

  /** Taps a reply button or list row of the last replies (newest message first). */
  tap(matcher: Matcher): Promise<Sent[]> {
    return this.tapIn(this.last, matcher);
  }

  /** Taps a control of the given (possibly old) replies. */
  tapIn(replies: Sent[], matcher: Matcher): Promise<Sent[]> {
    const found = findControl(replies, matcher);
    if (!found) throw new Error(`no control matching ${JSON.stringify(matcher)} in:\n${summarise(replies)}`);
    const { sent, control } = found;
    const message =
      sent.kind === 'button'
        ? wa.buttonReply(this.waId, control.id, control.title, { userId: this.userId })
        : wa.listReply(this.waId, control.id, control.title, control.description, { userId: this.userId });
    return this.send(message);
  }

  /** The last replies as one text, for `toContain` assertions. */
  get text(): string {
    return this.last.map((s) => [s.body, ...s.controls.map((c) => `${c.title}${c.description ? ` (${c.description})` : ''}`)].join('\n')).join('\n---\n');
  }

  /** The last interactive message of the last replies. */
  get interactive(): Sent {
    const i = [...this.last].reverse().find((s) => s.type === 'interactive');
    if (!i) throw new Error(`no interactive message in:\n${summarise(this.last)}`);
    return i;
  }
}

export function findControl(replies: Sent[], matcher: Matcher) {
  for (const sent of [...replies].reverse()) {
    for (const control of sent.controls) {
      if (matches(control, matcher)) return { sent, control };
    }
  }
  return null;
}

function matches(c: { id: string; title: string; description?: string }, m: Matcher): boolean {
  if (typeof m === 'function') return m(c);
  if (typeof m === 'string') {
    const plain = c.title.replace(/^✅ /, '').replace(/^\d+\. /, '');
    return plain === m || c.title === m || (plain.endsWith('…') && m.startsWith(plain.slice(0, -1))) || (c.description ?? '').startsWith(m);
  }
  const action = decodeAction(c.id)?.action as Record<string, unknown> | undefined;
  return !!action && Object.entries(m).every(([k, v]) => action[k] === v);
}

export function summarise(replies: Sent[]): string {
  return replies.map((s) => `[${s.kind}] ${s.body}\n${s.controls.map((c) => `  - ${c.title} <${c.id}>`).join('\n')}`).join('\n');
}

// ——— fixtures ———

export interface Family {
  waId: string;
  phone: string;
  parentIin: string;
  childIin: string;
  parentId: number;
  applicationIds: number[];
  kindergartens: { id: number; number: number; nameKk: string; nameRu: string }[];
}

let serial = 0;

/** A parent reachable at `waId` with a child and two applications needing extension, kindergartens and the season. */
export async function family(db: PrismaClient, opts: { kindergartens?: number; locale?: Locale | null } = {}): Promise<Family> {
  const k = ++serial;
  const waId = `7701${String(5_000_000 + k).padStart(7, '0')}`;
  const phone = `+${waId}`;
  const existingSeason = await db.season.findFirst({ where: { code: SEASON.code } });
  if (!existingSeason) await createSeason(db, SEASON);
  const kgs = await db.kindergarten.findMany({ orderBy: { number: 'asc' } });
  if (kgs.length === 0) {
    for (let i = 1; i <= (opts.kindergartens ?? 11); i++) {
      kgs.push(
        await createKindergarten(db, {
          number: i,
          nameKk: i === 3 ? `«Күншуақ» бөбекжай-балабақшасы № ${i} шағын орталығымен` : `«Балапан-${i}» балабақшасы`,
          nameRu: i === 3 ? `Ясли-сад «Солнышко» № ${i} с мини-центром` : `Детский сад «Балапан-${i}»`,
          latitude: 43.2 + i / 100,
          longitude: 76.9 + i / 100,
        }),
      );
    }
  }
  const parentIin = makeIin(new Date(Date.UTC(1988, 2, 1 + k)), 'F', 100 + k);
  const childIin = makeIin(new Date(Date.UTC(2022, 5, 1 + k)), 'M', 200 + k);
  const parent = await createParent(db, { phone, iin: parentIin, locale: opts.locale ?? null });
  const child = await createChild(db, parent.id, { iin: childIin });
  const a1 = await createApplication(db, { parentId: parent.id, childId: child.id, validUntil: OLD_VALIDITY, kindergartenIds: [kgs[0]!.id] });
  const a2 = await createApplication(db, { parentId: parent.id, validUntil: OLD_VALIDITY });
  return {
    waId,
    phone,
    parentIin,
    childIin,
    parentId: parent.id,
    applicationIds: [a1.id, a2.id],
    kindergartens: kgs.map(({ id, number, nameKk, nameRu }) => ({ id, number, nameKk, nameRu })),
  };
}

/** Walks a parent from the first message to the main menu. */
export async function identify(u: WaUser, f: Family, locale: Locale): Promise<void> {
  await u.say(locale === 'kk' ? 'Сәлеметсіз бе' : 'Здравствуйте');
  await u.tap({ type: 'choose', value: locale });
  await u.say(f.childIin);
}
