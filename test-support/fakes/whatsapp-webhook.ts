/**
 * WhatsApp webhook deliveries built as Meta documents them (object "whatsapp_business_account",
 * entry[].changes[].value with metadata, contacts, messages and statuses), serialised the way Meta
 * serialises them (non-ASCII as \uXXXX, "/" as "\/") and signed with the app secret.
 */
import { createHmac, randomBytes } from 'node:crypto';

export interface BusinessNumber {
  phoneNumberId: string;
  displayPhoneNumber: string;
  wabaId: string;
}

export type WaMessage = Record<string, unknown> & { from: string; id: string; type: string };
export type WaStatus = Record<string, unknown> & { id: string; status: string; recipient_id: string };

let clock = Math.floor(Date.UTC(2026, 10, 20, 6, 0, 0) / 1000);
/** Message timestamps: seconds, increasing. */
const timestamp = (): string => String(++clock);

export const wamid = (): string => `wamid.HBgL${randomBytes(24).toString('base64url')}`;

interface Common {
  id?: string;
  /** A business-scoped user id sent alongside the phone number. */
  userId?: string;
}

const base = (from: string, type: string, o: Common): WaMessage => ({
  from,
  ...(o.userId ? { from_user_id: o.userId } : {}),
  id: o.id ?? wamid(),
  timestamp: timestamp(),
  type,
});

export const wa = {
  text: (from: string, body: string, o: Common = {}): WaMessage => ({ ...base(from, 'text', o), text: { body } }),
  buttonReply: (from: string, id: string, title: string, o: Common = {}): WaMessage => ({
    ...base(from, 'interactive', o),
    interactive: { type: 'button_reply', button_reply: { id, title } },
  }),
  listReply: (from: string, id: string, title: string, description?: string, o: Common = {}): WaMessage => ({
    ...base(from, 'interactive', o),
    interactive: { type: 'list_reply', list_reply: { id, title, ...(description ? { description } : {}) } },
  }),
  /** A tap on a template's quick-reply button. */
  templateButton: (from: string, payload: string, text: string, o: Common = {}): WaMessage => ({
    ...base(from, 'button', o),
    context: { from: '15550000000', id: wamid() },
    button: { payload, text },
  }),
  location: (from: string, latitude: number, longitude: number, o: Common = {}): WaMessage => ({
    ...base(from, 'location', o),
    location: { latitude, longitude, name: 'Home', address: 'ул. Абая, 1' },
  }),
  sticker: (from: string, o: Common = {}): WaMessage => ({
    ...base(from, 'sticker', o),
    sticker: { mime_type: 'image/webp', sha256: randomBytes(32).toString('base64'), id: String(Date.now()), animated: false },
  }),
  /** A photo the user sent (the media id comes from the fake Graph API's `addMedia`). */
  image: (from: string, mediaId: string, caption?: string, o: Common = {}): WaMessage => ({
    ...base(from, 'image', o),
    image: { id: mediaId, mime_type: 'image/jpeg', sha256: randomBytes(32).toString('base64'), ...(caption ? { caption } : {}) },
  }),
  document: (from: string, mediaId: string, filename: string, mime: string, caption?: string, o: Common = {}): WaMessage => ({
    ...base(from, 'document', o),
    document: { id: mediaId, filename, mime_type: mime, sha256: randomBytes(32).toString('base64'), ...(caption ? { caption } : {}) },
  }),
  audio: (from: string, o: Common = {}): WaMessage => ({
    ...base(from, 'audio', o),
    audio: { mime_type: 'audio/ogg; codecs=opus', sha256: randomBytes(32).toString('base64'), id: String(Date.now()), voice: true },
  }),
};

export interface StatusInput {
  messageId: string;
  status: 'sent' | 'delivered' | 'read' | 'failed';
  recipient: string;
  errors?: { code: number; title: string; message?: string; details?: string }[];
}

export function waStatus(s: StatusInput): WaStatus {
  const status: WaStatus = { id: s.messageId, status: s.status, timestamp: timestamp(), recipient_id: s.recipient };
  if (s.status === 'sent' || s.status === 'delivered') {
    status['conversation'] = { id: randomBytes(16).toString('hex'), origin: { type: 'service' } };
    status['pricing'] = { billable: false, pricing_model: 'PMP', category: 'service' };
  }
  if (s.errors) {
    status['errors'] = s.errors.map((e) => ({
      code: e.code,
      title: e.title,
      message: e.message ?? e.title,
      error_data: { details: e.details ?? e.title },
      href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
    }));
  }
  return status;
}

export interface ChangeInput {
  number: BusinessNumber;
  messages?: WaMessage[];
  statuses?: WaStatus[];
  /** Profile names of the senders; a default one otherwise. */
  names?: Record<string, string>;
}

/** One `changes[]` item of field "messages". */
export function messagesChange(c: ChangeInput) {
  const value: Record<string, unknown> = {
    messaging_product: 'whatsapp',
    metadata: { display_phone_number: c.number.displayPhoneNumber, phone_number_id: c.number.phoneNumberId },
  };
  if (c.messages?.length) {
    const senders = [...new Map(c.messages.map((m) => [m.from, m])).values()];
    value['contacts'] = senders.map((m) => ({
      profile: { name: c.names?.[m.from] ?? 'Айгүл' },
      wa_id: m.from,
      ...(m['from_user_id'] ? { user_id: m['from_user_id'] } : {}),
    }));
    value['messages'] = c.messages;
  }
  if (c.statuses?.length) value['statuses'] = c.statuses;
  return { value, field: 'messages' };
}

/** A whole delivery: entries (one per WhatsApp Business Account) of changes. */
export function webhookPayload(entries: { wabaId: string; changes: ReturnType<typeof messagesChange>[] }[]) {
  return { object: 'whatsapp_business_account', entry: entries.map((e) => ({ id: e.wabaId, changes: e.changes })) };
}

/** The common case: one entry with one change. */
export function delivery(c: ChangeInput) {
  return webhookPayload([{ wabaId: c.number.wabaId, changes: [messagesChange(c)] }]);
}

/** JSON as Meta writes it: non-ASCII characters as \uXXXX escapes and "/" as "\/". */
export function serializeLikeMeta(payload: unknown): string {
  return JSON.stringify(payload)
    .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/\//g, '\\/');
}

export function signature(body: string | Buffer, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
}

export interface SignedDelivery {
  body: string;
  headers: Record<string, string>;
}

export function signed(payload: unknown, appSecret: string): SignedDelivery {
  const body = serializeLikeMeta(payload);
  return { body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature(body, appSecret) } };
}
