/**
 * One inbound message through the core, the WhatsApp way. WhatsApp proves the sender's number, so
 * when the core asks for the contact the channel answers at once with that number (once per
 * inbound message: a number not in the registry is answered, not asked again in a loop), and the
 * texts that speak of Telegram's "share my number" button are left out or replaced.
 */
import type { ChatRef, ConversationRuntime, Input, Message, Output } from '../../src/conversation/index.ts';
import type { TextLocale } from '../../src/i18n/index.ts';
import type { FileSource } from '../../src/services/index.ts';

export interface Exchange {
  outputs: Output[];
  locale: TextLocale;
  /** The inbox update named by `settles` was marked processed with the saved state. */
  settled: boolean;
}

/** Notices about the contact button, which WhatsApp does not have. */
const CONTACT_NOTICES = new Set(['identify.useContactButton', 'identify.notOwnContact']);
/** A number WhatsApp proved that is not a Kazakh one cannot be in the registry. */
const REPLACED_NOTICES: Record<string, string> = { 'identify.badPhone': 'identify.phoneNotFound' };

const isContactRequest = (o: Output): o is Message => o.kind === 'message' && o.request === 'contact';

/**
 * `settles`: the inbox update the message came in, marked processed with the first saved state.
 * Should the process die before the number is given, the parent's next message asks for the
 * contact again and the number is answered then.
 */
export async function converse(
  runtime: ConversationRuntime,
  chat: ChatRef,
  input: Input,
  phone: string | null,
  settles?: string,
  localeHint?: string | null,
  files?: FileSource,
): Promise<Exchange> {
  // The proven number also stands for its registry parents when the chat asks to stop messages.
  const first = await runtime.handle(chat, input, { settles, senderPhone: phone, localeHint, ...(files ? { files } : {}) });
  const asked = first.outputs.findIndex(isContactRequest);
  if (asked < 0) return { outputs: adaptForWhatsApp(first.outputs), locale: first.locale, settled: first.settled };

  const before = adaptForWhatsApp(first.outputs.slice(0, asked));
  if (!phone) return { outputs: [...before, notice('whatsapp.noPhone')], locale: first.locale, settled: first.settled };
  const second = await runtime.handle(chat, { type: 'verifiedPhone', phone }, { settles, senderPhone: phone });
  return {
    outputs: [...before, notice('whatsapp.identifyIntro'), ...adaptForWhatsApp(second.outputs)],
    locale: second.locale,
    settled: first.settled || second.settled,
  };
}

/** The core's outputs without what speaks of Telegram's contact button (WhatsApp proves the number itself). */
export function adaptForWhatsApp(outputs: Output[]): Output[] {
  return outputs.flatMap((o): Output[] => {
    if (isContactRequest(o)) return [];
    if (o.kind !== 'notice') return [o];
    if (CONTACT_NOTICES.has(o.text.key)) return [];
    const replaced = REPLACED_NOTICES[o.text.key];
    return replaced ? [{ ...o, text: { key: replaced } }] : [o];
  });
}

const notice = (key: string): Output => ({ kind: 'notice', text: { key } });
