/**
 * Webhook payloads as events, and inbound messages as core inputs. Every entry, change, message
 * and status of a (possibly batched) delivery becomes an event; each change keeps its own
 * `metadata.phone_number_id`, so a delivery mixing numbers is sorted per number. The library's
 * `normalizeWebhook` iterates all of them but reports one phone number id for the whole payload,
 * so it is applied per change.
 */
import { normalizeWebhook } from '@kapso/whatsapp-cloud-api/server';
import { decodeAction, type Input } from '../../src/conversation/index.ts';
import { z } from 'zod';
import { STOP_PAYLOAD } from './templates.ts';

const stringOrUndefined = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * An inbound message as the library normalises it (camelCase), kept to what the channel reads.
 * Parsed, not cast: a signed delivery can still carry shapes the channel cannot use (found by
 * fuzzing), and a stored one may come from an older release. Fields the channel does not read are
 * kept as they came (loose objects), so a stored update is processed with all it had.
 */
const inboundMediaSchema = z.looseObject({ id: z.string().optional(), mimeType: z.string().optional(), caption: z.string().optional() });
const looseNumber = z.union([z.number(), z.string()]);

export const inboundMessageSchema = z.looseObject({
  id: z.string(),
  from: z.string().optional(),
  fromUserId: z.string().optional(),
  timestamp: z.string().optional(),
  type: z.string(),
  text: z.looseObject({ body: z.string().optional() }).optional(),
  interactive: z
    .looseObject({
      type: z.string().optional(),
      buttonReply: z.looseObject({ id: z.string().optional() }).optional(),
      listReply: z.looseObject({ id: z.string().optional() }).optional(),
    })
    .optional(),
  button: z.looseObject({ payload: z.string().optional(), text: z.string().optional() }).optional(),
  location: z.looseObject({ latitude: looseNumber.optional(), longitude: looseNumber.optional() }).optional(),
  image: inboundMediaSchema.optional(),
  document: inboundMediaSchema.extend({ filename: z.string().optional() }).optional(),
});
export type InboundMessage = z.infer<typeof inboundMessageSchema>;

const statusErrorSchema = z.looseObject({
  code: z.number().optional(),
  title: z.string().optional(),
  message: z.string().optional(),
  errorData: z.looseObject({ details: z.string().optional() }).optional(),
});

export const inboundStatusSchema = z.looseObject({
  id: z.string(),
  status: z.string(),
  timestamp: z.string().optional(),
  recipientId: z.string().optional(),
  recipientUserId: z.string().optional(),
  // A malformed error list is dropped, not the status: the status itself is still news.
  errors: z.array(statusErrorSchema).optional().catch(undefined),
});
export type InboundStatus = z.infer<typeof inboundStatusSchema>;

/** What the inbox keeps of an update until it is processed (the channel stores and reads it back). */
export const storedUpdateSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('message'), userId: z.string().nullable(), message: inboundMessageSchema }),
  z.object({ kind: z.literal('status'), status: inboundStatusSchema }),
]);
export type StoredUpdate = z.infer<typeof storedUpdateSchema>;

export type WebhookEvent =
  | { kind: 'message'; phoneNumberId: string | null; chatId: string; userId: string | null; message: InboundMessage }
  | { kind: 'status'; phoneNumberId: string | null; status: InboundStatus };

export interface ParsedWebhook {
  object: string | null;
  events: WebhookEvent[];
}

interface RawChange {
  field?: unknown;
  value?: unknown;
}

export function parseWebhook(payload: unknown): ParsedWebhook {
  const top = (payload ?? {}) as { object?: unknown; entry?: unknown };
  const object = typeof top.object === 'string' ? top.object : null;
  const events: WebhookEvent[] = [];
  for (const entry of Array.isArray(top.entry) ? (top.entry as { id?: unknown; changes?: unknown }[]) : []) {
    for (const change of Array.isArray(entry?.changes) ? (entry.changes as RawChange[]) : []) {
      if (change?.field !== undefined && change.field !== 'messages') continue;
      // A change the normaliser cannot read (found by fuzzing: contacts that are not objects)
      // is skipped; the other changes of a batched delivery still count.
      try {
        events.push(...changeEvents(object, entry.id, change));
      } catch {}
    }
  }
  return { object, events };
}

function changeEvents(object: string | null, entryId: unknown, change: RawChange): WebhookEvent[] {
  const n = normalizeWebhook({ object, entry: [{ id: entryId, changes: [change] }] });
  const phoneNumberId = n.phoneNumberId ?? null;
  const events: WebhookEvent[] = [];
  for (const item of n.messages) {
    const parsed = inboundMessageSchema.safeParse(item);
    if (!parsed.success) continue;
    // Echoes of the business's own messages are not the parent's.
    const { kapso, ...message } = parsed.data;
    if ((kapso as { direction?: unknown } | undefined)?.direction === 'outbound') continue;
    // Shapes are not trusted even when signed: a non-string sender (found by fuzzing) would fail
    // the inbox insert and answer 500, making Meta redeliver it forever.
    const chatId = [message.from, message.fromUserId].find((v): v is string => typeof v === 'string' && v !== '');
    if (!chatId) continue;
    const contact = (n.contacts as { waId?: string; userId?: string }[]).find((c) => c.waId === message.from);
    events.push({ kind: 'message', phoneNumberId, chatId, userId: message.fromUserId ?? contact?.userId ?? null, message });
  }
  for (const item of n.statuses) {
    // A recipient that is not a string (fuzzing) is no recipient; the status still counts.
    const raw = item as Record<string, unknown> | null;
    const parsed = inboundStatusSchema.safeParse(
      raw && typeof raw === 'object'
        ? { ...raw, recipientId: stringOrUndefined(raw.recipientId), recipientUserId: stringOrUndefined(raw.recipientUserId) }
        : raw,
    );
    if (parsed.success) events.push({ kind: 'status', phoneNumberId, status: parsed.data });
  }
  return events;
}

/** Message types with nothing to answer: reactions to the bot's messages, system notes. */
const IGNORED = new Set(['reaction', 'system', 'request_welcome', 'ephemeral', 'errors']);

/** The core input for a message; null for messages that need no answer. */
export function toInput(m: InboundMessage): Input | null {
  switch (m.type) {
    case 'text': {
      const text = m.text?.body ?? '';
      return { type: 'text', text };
    }
    case 'interactive': {
      const id = m.interactive?.buttonReply?.id ?? m.interactive?.listReply?.id;
      return id === undefined ? { type: 'unsupported' } : pressed(id);
    }
    case 'button':
      // A template's quick-reply button: its payload is an action like "x.extend"; its Stop
      // button stores the opt-out without asking again.
      if (m.button?.payload === STOP_PAYLOAD) return { type: 'templateStop' };
      return pressed(m.button?.payload ?? '');
    case 'location': {
      const lat = Number(m.location?.latitude);
      const lon = Number(m.location?.longitude);
      if (!Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) return { type: 'unsupported' };
      return { type: 'location', point: { lat, lon } };
    }
    case 'image':
    case 'document': {
      const media = m.type === 'image' ? m.image : m.document;
      if (typeof media?.id !== 'string' || media.id === '') return { type: 'unsupported' };
      const name = m.type === 'document' && typeof m.document?.filename === 'string' ? m.document.filename : null;
      const caption = typeof media.caption === 'string' ? media.caption : null;
      const mime = typeof media.mimeType === 'string' ? media.mimeType : null;
      return { type: 'attachment', file: { ref: media.id, kind: m.type === 'image' ? 'photo' : 'document', mime, size: null, name, caption } };
    }
    default:
      return IGNORED.has(m.type) ? null : { type: 'unsupported' };
  }
}

function pressed(id: string): Input {
  const decoded = decodeAction(id);
  return decoded ? { type: 'action', seq: decoded.seq, action: decoded.action } : { type: 'badAction' };
}

/** The sender's phone as WhatsApp proves it: `wa_id` digits, as E.164. */
export function senderPhone(m: InboundMessage): string | null {
  return m.from && /^\d{6,15}$/.test(m.from) ? `+${m.from}` : null;
}

/** When the message was sent (its `timestamp`, seconds), for the 24-hour window. */
export function sentAt(m: InboundMessage, fallback: Date): Date {
  const seconds = Number(m.timestamp);
  if (!Number.isFinite(seconds) || seconds <= 0) return fallback;
  const at = new Date(seconds * 1000);
  // A clock far ahead of ours must not stretch the window.
  return at.getTime() > fallback.getTime() ? fallback : at;
}
