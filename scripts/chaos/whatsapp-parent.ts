/**
 * A parent chatting on WhatsApp through the balancer: signed webhook deliveries, replies read from
 * the fake Graph API. The product answers 200 before it processes (a killed instance's accepted
 * messages are picked up by another instance's recovery sweep), so the parent waits for the reply
 * and, when none comes, sends again as a person would.
 */
import type { FakeGraphApi } from '../../test-support/fakes/graph-api.ts';
import { delivery, signed, wa, type BusinessNumber, type WaMessage } from '../../test-support/fakes/whatsapp-webhook.ts';
import { type Button, isChoice, isCommand, isReminderText, isToggle, nextPress } from './autopilot.ts';
import type { Balancer } from './balancer.ts';
import { sleep } from './random.ts';
import type { ParentOutcome, SimParent } from './telegram-parent.ts';

export const WA_NUMBER: BusinessNumber = { phoneNumberId: '106540352242922', displayPhoneNumber: '15550783881', wabaId: '102290129340398' };
export const WA_APP_SECRET = 'chaos-app-secret-0123456789';
export const WA_VERIFY_TOKEN = 'chaos-verify';
export const WA_TOKEN = 'EAAchaostoken';

interface Screen {
  index: number;
  body: string;
  controls: (Button & { kind: 'button' | 'list' })[];
}

/**
 * What the last reply shows: the interactive messages (not reminders) the fake accepted for `waId`
 * since `from` — one screen may come as several messages (e.g. the menu's buttons and a list of
 * more actions) — the newest message's controls first.
 */
function screen(fake: FakeGraphApi, waId: string, from: number): Screen | null {
  const sent = fake.accepted(waId);
  let body = '';
  const controls: Screen['controls'] = [];
  let index = -1;
  for (let i = sent.length - 1; i >= from; i--) {
    const m = sent[i];
    if (m.type !== 'interactive') continue;
    const text = String(m.interactive.body?.text ?? '');
    if (isReminderText(text)) continue;
    const kind = m.interactive.type as 'button' | 'list';
    controls.push(
      ...(kind === 'button'
        ? m.interactive.action.buttons.map((b: any) => ({ kind, text: b.reply.title, data: b.reply.id }))
        : m.interactive.action.sections.flatMap((s: any) => s.rows.map((r: any) => ({ kind, text: r.title, data: r.id })))),
    );
    body = `${text}\n${body}`;
    if (index < 0) index = i;
  }
  return index < 0 ? null : { index, body, controls };
}

export class WhatsAppParent {
  readonly waId: string;
  readonly outcome: ParentOutcome = { identified: false, completed: false, retries: 0, stuck: null };
  /** Where the replies to the last message begin in the fake's record for this chat. */
  private replyFrom = 0;

  constructor(
    private readonly p: SimParent,
    private readonly fake: FakeGraphApi,
    private readonly lb: Balancer,
    private readonly acknowledged: Set<string>,
  ) {
    this.waId = p.phone.replace(/^\+/, '');
  }

  private async step(make: () => WaMessage | null): Promise<boolean> {
    const before = this.fake.accepted(this.waId).length;
    for (let attempt = 0; attempt < 4; attempt++) {
      // The reply to an earlier try may come late (its update recovered after a kill): it is the
      // answer, and tapping again would look for the old control on the screen it replaced.
      if (this.fake.accepted(this.waId).length > before) return this.read(before);
      const message = make();
      if (!message) return false;
      this.outcome.firstWroteAt ??= Date.now();
      const s = signed(delivery({ number: WA_NUMBER, messages: [message] }), WA_APP_SECRET);
      await this.lb.post('/webhooks/whatsapp', s.body, s.headers);
      this.acknowledged.add(message.id);
      for (let i = 0; i < 60; i++) {
        if (this.fake.accepted(this.waId).length > before) return this.read(before);
        await sleep(100);
      }
      this.outcome.retries++;
    }
    return false;
  }

  /** Takes the messages from `from` on as the reply, once no more arrive. */
  private async read(from: number): Promise<true> {
    this.replyFrom = from;
    // A reply may come in several messages (a question, then "more actions"): read it only once no
    // more arrive, or a late part would count as the answer to the next tap.
    for (let seen = -1; seen !== this.fake.accepted(this.waId).length; ) {
      seen = this.fake.accepted(this.waId).length;
      await sleep(300);
    }
    return true;
  }

  private tap(pick: (controls: Screen['controls']) => Screen['controls'][number] | undefined): () => WaMessage | null {
    return () => {
      const s = screen(this.fake, this.waId, this.replyFrom);
      const c = s ? pick(s.controls) : undefined;
      if (!c) return null;
      return c.kind === 'button' ? wa.buttonReply(this.waId, c.data, c.text) : wa.listReply(this.waId, c.data, c.text);
    };
  }

  async run(): Promise<ParentOutcome> {
    const o = this.outcome;
    if (!(await this.step(() => wa.text(this.waId, 'Здравствуйте')))) return { ...o, stuck: 'hello' };
    if (!(await this.step(this.tap((cs) => cs.find((c) => isChoice(c.data, 'ru')))))) return { ...o, stuck: 'language' };
    if (!(await this.step(() => wa.text(this.waId, this.p.iin)))) return { ...o, stuck: 'iin' };
    o.identified = true;
    if (this.p.idle) return o;
    if (!(await this.step(this.tap((cs) => cs.find((c) => isCommand(c.data, 'extend')))))) return { ...o, stuck: 'extend' };
    // WhatsApp cannot edit: every tick sends the list again, so a new question shows as a new body.
    let lastBody = '';
    let tickedHere = false;
    for (let n = 0; n < 60; n++) {
      const s = screen(this.fake, this.waId, this.replyFrom);
      if (!s) return { ...o, stuck: 'no controls' };
      if (s.body !== lastBody) tickedHere = false;
      lastBody = s.body;
      const next = nextPress(s.controls, tickedHere);
      if (!next) return { ...o, stuck: `nothing to tap on "${s.body.slice(0, 60)}"` };
      if (isToggle(next.data)) tickedHere = true;
      if (!(await this.step(this.tap((cs) => cs.find((c) => c.data === next.data))))) return { ...o, stuck: 'no answer' };
      if (next.final) {
        o.completed = true;
        return o;
      }
    }
    return { ...o, stuck: 'too many steps' };
  }
}
