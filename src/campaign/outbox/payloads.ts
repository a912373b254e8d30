/**
 * What each kind of outbox row carries in its JSON payload, parsed rather than cast: a row is
 * written by one release and may be sent by another, so its payload is read through the schema of
 * its kind, and a payload that does not fit fails that row (logged by the dispatcher, never thrown
 * into the batch). Reminders carry only their offset, in the row's own columns.
 */
import { z } from 'zod';

const isoInstant = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'an ISO instant');

/** Frozen at the purge, as the template needs them. */
export const stopListPayloadSchema = z.looseObject({
  queueNumbers: z.array(z.number().int()),
  /** ISO instant the applications were moved to the stop-list. */
  stopListedAt: isoInstant,
});

/** A registry event's notice (src/import/registry-events.ts writes it). */
export const registryPayloadSchema = z.looseObject({
  eventId: z.number().int(),
  queueNumber: z.number().int(),
  status: z.string().catch(''),
  kindergartenId: z.number().int().nullable().catch(null),
  group: z.string().nullable().catch(null),
  /** ISO instant; null when the registry gave none. */
  acceptBy: isoInstant.nullable().default(null),
});

/** The support desk's rows (src/services/support.ts writes them). */
export const supportReplyPayloadSchema = z.looseObject({ threadId: z.number().int(), messageId: z.number().int() });
export const supportClosedPayloadSchema = z.looseObject({ threadId: z.number().int() });
export const supportNudgePayloadSchema = z.looseObject({ threadId: z.number().int(), since: isoInstant });
