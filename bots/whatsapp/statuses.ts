/**
 * WhatsApp status webhooks in the core's terms: the error code that matters (131047, the window
 * closed: resend as the template), the errors as one line for the outbox row, the platform's time.
 * Recording them on the outbox — forward only, and commuting with a send whose result is not yet
 * written — is the core's (src/campaign/outbox/delivery-status.ts).
 */
import { isDeliveryState, recordDeliveryStatus, type DeliveryStatus } from '../../src/campaign/index.ts';
import type { Db } from '../../src/services/index.ts';
import { failureKindOfCode } from './errors.ts';
import type { InboundStatus } from './inbound.ts';

export const isTrackedStatus = (status: string): boolean => isDeliveryState(status);

export interface StatusOutcome {
  /** Outbox rows updated (0: not an outbox message, the record was already further on, or kept). */
  updated: number;
  /** Kept until its send's result is written (the status overtook it). */
  kept: boolean;
  /** The first error code of a failed status. */
  errorCode: number | null;
}

export async function applyStatus(db: Db, s: InboundStatus, now: Date): Promise<StatusOutcome> {
  const errorCode = s.status === 'failed' ? (s.errors?.find((e) => typeof e.code === 'number')?.code ?? null) : null;
  const status = toDeliveryStatus(s, errorCode);
  if (status === null) return { updated: 0, kept: false, errorCode };
  // Outbox rows hold the phone number (wa_id); a status without it may belong to any unrecorded send.
  const { updated, kept } = await recordDeliveryStatus(db, 'WHATSAPP', s.recipientId ?? null, status, now);
  return { updated, kept, errorCode };
}

function toDeliveryStatus(s: InboundStatus, errorCode: number | null): DeliveryStatus | null {
  if (!isDeliveryState(s.status)) return null;
  const failed = s.status === 'failed';
  return {
    externalId: s.id,
    status: s.status,
    resendAsTemplate: errorCode !== null && failureKindOfCode(errorCode) === 'outsideWindow',
    error: failed ? describeErrors(s) : null,
    at: s.timestamp && /^\d+$/.test(s.timestamp) ? new Date(Number(s.timestamp) * 1000) : null,
  };
}

function describeErrors(s: InboundStatus): string {
  const errors = s.errors ?? [];
  if (errors.length === 0) return 'failed';
  return errors
    .map((e) => [e.code ?? '?', e.title ?? e.message, e.errorData?.details].filter(Boolean).join(': '))
    .join('; ')
    .slice(0, 500);
}
