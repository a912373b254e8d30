/**
 * The console channel: a local chat in the terminal that drives the same core as the messaging
 * channels. Typed numbers press the numbered buttons; anything else is sent as typed text. When
 * the bot asks for a contact or a location, the typed phone or "lat, lon" stands in for the
 * native control (a local console is trusted, as the phone's own contact button would be).
 */
import type { ConversationRuntime, Input, Message } from '../../src/conversation/index.ts';
import type { Translator } from '../../src/i18n/index.ts';
import { renderOutput } from './render.ts';

const LOCATION = /^(-?\d{1,2}(?:\.\d+)?)\s*[,;\s]\s*(-?\d{1,3}(?:\.\d+)?)$/;

export class ConsoleChat {
  private last: Message | null = null;

  constructor(
    private readonly runtime: ConversationRuntime,
    private readonly translator: Translator,
    readonly chatId = 'local',
  ) {}

  start(): Promise<string> {
    return this.deliver({ type: 'start', languageHint: null });
  }

  send(line: string): Promise<string> {
    return this.deliver(this.toInput(line.trim()));
  }

  private toInput(line: string): Input {
    const last = this.last;
    if (last?.request === 'contact' && !line.startsWith('/')) return { type: 'contact', phone: line, own: true };
    const point = LOCATION.exec(line);
    if (last?.request === 'location' && point) return { type: 'location', point: { lat: Number(point[1]), lon: Number(point[2]) } };
    if (/^\d{1,2}$/.test(line) && last) {
      const b = last.buttons[Number(line) - 1];
      if (b) return { type: 'action', seq: last.seq, action: b.action };
    }
    return { type: 'text', text: line };
  }

  private async deliver(input: Input): Promise<string> {
    const reply = await this.runtime.handle({ channel: 'CONSOLE', chatId: this.chatId }, input);
    const messages = reply.outputs.filter((o): o is Message => o.kind === 'message');
    // A notice alone (a refused press) leaves the keyboard on screen as it was.
    if (messages.length > 0) this.last = messages.at(-1)!;
    return reply.outputs
      .map((o) => renderOutput(o, reply.locale, this.translator))
      .filter((s) => s.length > 0)
      .join('\n\n');
  }
}
