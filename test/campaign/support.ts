/**
 * Shared ground for the campaign tests: one season with its dates in Almaty time, the default
 * settings, and builders for chat links.
 */
import type { Channel, Locale } from '../../src/generated/prisma/client.ts';
import type { CampaignSettings } from '../../src/config/env.ts';
import { parseAlmatyDateTime } from '../../src/domain/almaty-time.ts';
import type { Db } from '../../src/services/db.ts';
import { createApplication, createParent, createSeason } from '../helpers/fixtures.ts';

/** An Almaty wall-clock time as an instant. */
export const almaty = (s: string): Date => parseAlmatyDateTime(s);

export const SETTINGS: CampaignSettings = {
  reminderOffsetsDays: [30, 14, 7, 3, 1],
  remindOnOpening: true,
  window: { startMinute: 9 * 60, endMinute: 20 * 60 },
  purgeAtDeadline: true,
  ratePerSecond: { TELEGRAM: 25, WHATSAPP: 70 },
  whatsappTier: 250,
  maxAttempts: 8,
  instanceId: 'test-instance',
  reach: { whatsappOutreach: true, sms: true, smsLastResortDays: 7, smsPerDay: null },
};

/** Last season's grant: every application starts valid until then. */
export const OLD_VALIDITY = new Date('2026-09-30T19:00:00Z');
export const SEASON_DATES = {
  opensAt: almaty('2026-10-01 10:00'),
  deadline: almaty('2026-12-25 23:59:59'),
  validUntil: almaty('2027-12-31 23:59:59'),
};

export function createCampaignSeason(db: Db, dates: Partial<typeof SEASON_DATES> = {}) {
  return createSeason(db, { code: '2026', ...SEASON_DATES, ...dates });
}

let chatCounter = 0;
export async function linkChat(db: Db, parentId: number, opts: { channel?: Channel; chatId?: string; locale?: Locale; unreachableAt?: Date | null } = {}) {
  return db.chatLink.create({
    data: {
      channel: opts.channel ?? 'TELEGRAM',
      chatId: opts.chatId ?? `chat-${process.pid}-${++chatCounter}`,
      parentId,
      locale: opts.locale ?? 'ru',
      unreachableAt: opts.unreachableAt ?? null,
    },
  });
}

/** A parent with `needing` applications still valid for last season only and `extended` already extended to `validUntil`. */
export async function parentWith(db: Db, opts: { needing?: number; extended?: number; validUntil?: Date } = {}) {
  const parent = await createParent(db);
  const applications = [];
  for (let i = 0; i < (opts.needing ?? 1); i++) applications.push(await createApplication(db, { parentId: parent.id, validUntil: OLD_VALIDITY }));
  for (let i = 0; i < (opts.extended ?? 0); i++) {
    applications.push(await createApplication(db, { parentId: parent.id, validUntil: opts.validUntil ?? SEASON_DATES.validUntil }));
  }
  return { parent, applications };
}

export async function clearLeases(db: Db): Promise<void> {
  await db.$executeRawUnsafe('DELETE FROM scheduler_leases');
}
