/**
 * The notices of registry events (src/import/registry-events.ts): a core `Message` in the chat's
 * language, and for the referral's two kinds the WhatsApp template's parameters. The kindergarten
 * is read at send time (its name and address in both languages; the locale file picks one), the
 * rest is the event as the import froze it. Each notice carries the one action that fits: a
 * referral "How to accept" (the `accept` command), the others "My applications".
 */
import { registryPayloadSchema } from './outbox/payloads.ts';
import type { Message, Param, Text } from '../conversation/core/io.ts';
import type { Locale } from '../conversation/core/views.ts';
import { formatDate } from '../i18n/format.ts';
import type { Db } from '../services/db.ts';
import type { RegistryEventKind, RegistryNoticePayload } from './outbox-kinds.ts';

export interface ReferralKindergarten {
  number: number;
  nameKk: string;
  nameRu: string;
  addressKk: string;
  addressRu: string;
}

export interface RegistryNotification {
  event: RegistryEventKind;
  queueNumber: number;
  kindergarten: ReferralKindergarten | null;
  group: string | null;
  acceptBy: Date | null;
}

const text = (key: string, params?: Record<string, Param>): Text => (params ? { key, params } : { key });

export function registryPayload(payload: unknown): RegistryNoticePayload | null {
  const p = registryPayloadSchema.safeParse(payload);
  if (!p.success) return null;
  const { eventId, queueNumber, status, kindergartenId, group, acceptBy } = p.data;
  return { eventId, queueNumber, status, kindergartenId, group, acceptBy };
}

/** The notification as of now; null when it no longer holds (the referral went meanwhile). */
export async function registryNotification(
  db: Db,
  event: RegistryEventKind,
  p: RegistryNoticePayload,
  parentId: number | null,
): Promise<RegistryNotification | null> {
  if (event === 'REFERRAL_ISSUED') {
    // A referral withdrawn or moved before its notice went is not announced; the later event is.
    const app = await db.application.findFirst({
      where: { queueNumber: p.queueNumber, ...(parentId === null ? {} : { parentId }) },
      select: { status: true, referralKindergartenId: true },
    });
    if (app?.status !== 'REFERRED' || app.referralKindergartenId !== p.kindergartenId) return null;
  }
  const kindergarten =
    p.kindergartenId === null
      ? null
      : await db.kindergarten.findUnique({
          where: { id: p.kindergartenId },
          select: { number: true, nameKk: true, nameRu: true, addressKk: true, addressRu: true },
        });
  return { event, queueNumber: p.queueNumber, kindergarten, group: p.group, acceptBy: p.acceptBy ? new Date(p.acceptBy) : null };
}

const kindergartenParam = (k: ReferralKindergarten): Text => text('campaign.registry.kindergarten', { ...k });

export function buildRegistryNotice(n: RegistryNotification): Message {
  const number = String(n.queueNumber);
  const body: Text[] = [];
  let button: Message['buttons'][number];
  switch (n.event) {
    case 'REFERRAL_ISSUED':
      body.push(text('campaign.registry.referral.issued', { number }));
      if (n.kindergarten) body.push(text('campaign.registry.referral.where', { kindergarten: kindergartenParam(n.kindergarten) }));
      if (n.group) body.push(text('campaign.registry.referral.group', { group: n.group }));
      body.push(
        n.acceptBy ? text('campaign.registry.referral.acceptBy', { date: { date: n.acceptBy.toISOString() } }) : text('campaign.registry.referral.acceptSoon'),
      );
      button = { text: text('campaign.registry.referral.button'), action: { type: 'command', name: 'accept' }, role: 'option' };
      break;
    case 'REFERRAL_LAPSED':
      body.push(text('campaign.registry.lapsed.text', { number }), text('campaign.registry.lapsed.contact'));
      button = myApplications;
      break;
    case 'ENROLLED':
      body.push(text('campaign.registry.enrolled', { number }));
      button = myApplications;
      break;
    case 'WITHDRAWN':
      body.push(text('campaign.registry.withdrawn', { number }), text('campaign.registry.lapsed.contact'));
      button = myApplications;
      break;
    case 'NEW_APPLICATION':
      body.push(text('campaign.registry.newApplication', { number }));
      button = myApplications;
      break;
  }
  return { kind: 'message', body, buttons: [button], seq: 0, mode: 'new' };
}

const myApplications: Message['buttons'][number] = { text: text('menu.applications'), action: { type: 'command', name: 'applications' }, role: 'option' };

/**
 * The referral templates' body parameters per language (bots/whatsapp/templates.json):
 * issued → [queue number, kindergarten "№ 12 name, address", accept-by "dd.mm.yyyy" or "—"];
 * lapsed → [queue number]. Null for the kinds without a template (they wait for the window).
 */
export function registryTemplateParams(n: RegistryNotification, locale: Locale): string[] | null {
  if (n.event === 'REFERRAL_LAPSED') return [String(n.queueNumber)];
  if (n.event !== 'REFERRAL_ISSUED') return null;
  const k = n.kindergarten;
  const where = k ? `№ ${k.number} ${locale === 'kk' ? k.nameKk : k.nameRu}, ${locale === 'kk' ? k.addressKk : k.addressRu}` : '—';
  return [String(n.queueNumber), where, n.acceptBy ? formatDate(n.acceptBy.toISOString(), false) : '—'];
}
