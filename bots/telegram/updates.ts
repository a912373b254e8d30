/**
 * Telegram updates as core inputs. Only private chats take part in the conversation: the bot
 * asks for personal data, so it never answers in groups. Everything here is pure.
 */
import type { Message, Update } from 'grammy/types';
import { z } from 'zod';
import { decodeAction, type AttachmentRef, type Input } from '../../src/conversation/index.ts';

/** What an update is for the channel. */
export type Incoming =
  /** A message or button press that the conversation answers. */
  | { kind: 'input'; chatId: number; input: Input; callback: CallbackRef | null; via: 'contact' | 'location' | null }
  /** The user blocked (`kicked`) or unblocked the bot. */
  | { kind: 'membership'; chatId: number; blocked: boolean }
  /** Nothing to do (edited messages, groups, channel posts, other update types). */
  | { kind: 'ignored'; chatId: number | null };

export interface CallbackRef {
  id: string;
  /** The message the pressed keyboard is on, when the bot can still edit it. */
  messageId: number | null;
}

/** A stored update read back from the inbox: what the pipeline relies on is checked, the rest kept as sent. */
export const storedUpdateSchema = z.looseObject({ update_id: z.number().int().nonnegative() });

/** Update types the bot asks Telegram for (webhook and getUpdates). */
export const ALLOWED_UPDATES = ['message', 'callback_query', 'my_chat_member'] as const;

/** Message contents a person sends that the conversation has no use for. */
const USER_CONTENT = [
  'sticker',
  'photo',
  'video',
  'voice',
  'audio',
  'document',
  'animation',
  'video_note',
  'poll',
  'dice',
  'game',
  'story',
  'paid_media',
  'checklist',
  'caption',
] as const;

const START = /^\/start(?:@\w+)?(?:\s|$)/i;
/** A deep link's start parameter (Telegram allows 1–64 of these characters). */
const START_PAYLOAD = /^\/start(?:@\w+)?\s+([A-Za-z0-9_-]{1,64})\s*$/i;

export function classify(update: Update): Incoming {
  if (update.message) {
    const m = update.message;
    if (m.chat.type !== 'private' || !m.from) return { kind: 'ignored', chatId: m.chat.id };
    const chatId = m.chat.id;
    const plain = (input: Input, via: 'contact' | 'location' | null = null): Incoming => ({ kind: 'input', chatId, input, callback: null, via });
    if (typeof m.text === 'string') {
      // /start carries the app language and a deep link's token, if any; other commands are
      // parsed by the core from the text.
      if (START.test(m.text)) {
        return plain({ type: 'start', languageHint: m.from.language_code ?? null, link: START_PAYLOAD.exec(m.text)?.[1] ?? null });
      }
      return plain({ type: 'text', text: m.text });
    }
    if (m.contact) {
      // A forwarded card of someone else has another user_id, or none at all.
      const own = m.contact.user_id !== undefined && m.contact.user_id === m.from.id;
      return plain({ type: 'contact', phone: m.contact.phone_number, own }, 'contact');
    }
    if (m.location) return plain({ type: 'location', point: { lat: m.location.latitude, lon: m.location.longitude } }, 'location');
    const file = attachmentOf(m);
    if (file) return plain({ type: 'attachment', file });
    // Content the parent sent gets a polite "use the buttons"; service messages (a pin…) get nothing.
    if (USER_CONTENT.some((k) => k in m)) return plain({ type: 'unsupported' });
    return { kind: 'ignored', chatId };
  }
  if (update.callback_query) {
    const q = update.callback_query;
    const msg = q.message;
    if (msg?.chat.type !== 'private') return { kind: 'ignored', chatId: msg?.chat.id ?? null };
    const decoded = typeof q.data === 'string' ? decodeAction(q.data) : null;
    // An inaccessible message (too old) comes with date 0: it can no longer be edited.
    const messageId = msg.date === 0 ? null : msg.message_id;
    return {
      kind: 'input',
      chatId: msg.chat.id,
      input: decoded ? { type: 'action', seq: decoded.seq, action: decoded.action } : { type: 'badAction' },
      callback: { id: q.id, messageId },
      via: null,
    };
  }
  if (update.my_chat_member) {
    const m = update.my_chat_member;
    if (m.chat.type !== 'private') return { kind: 'ignored', chatId: m.chat.id };
    return { kind: 'membership', chatId: m.chat.id, blocked: m.new_chat_member.status === 'kicked' };
  }
  return { kind: 'ignored', chatId: chatIdOf(update) };
}

/**
 * A photo (its largest size) or a document, as the parent sent it: kept for the education
 * department when they are writing to it. The caption goes with the file.
 */
function attachmentOf(m: Message): AttachmentRef | null {
  const caption = typeof m.caption === 'string' ? m.caption : null;
  if (m.photo && m.photo.length > 0) {
    const largest = m.photo.reduce((a, b) => (a.width * a.height >= b.width * b.height ? a : b));
    return { ref: largest.file_id, kind: 'photo', mime: 'image/jpeg', size: largest.file_size ?? null, name: null, caption };
  }
  if (m.document) {
    const d = m.document;
    return { ref: d.file_id, kind: 'document', mime: d.mime_type ?? null, size: d.file_size ?? null, name: d.file_name ?? null, caption };
  }
  return null;
}

/** The chat an update belongs to (for per-chat ordering); null when it has none. */
export function chatIdOf(update: Update): number | null {
  return (
    update.message?.chat.id ??
    update.edited_message?.chat.id ??
    update.callback_query?.message?.chat.id ??
    update.my_chat_member?.chat.id ??
    update.callback_query?.from.id ??
    null
  );
}
