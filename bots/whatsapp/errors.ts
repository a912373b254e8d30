/**
 * Classifying Graph API failures by `error.code` (the HTTP status only when there is no code):
 * the platform answers rate limits, closed windows and bad requests alike with HTTP 400.
 */
import type { SendFailureKind } from './transport.ts';

const BY_CODE = new Map<number, SendFailureKind>([
  [130429, 'throughput'],
  [4, 'throughput'],
  [80007, 'throughput'],
  [131056, 'pairRateLimit'],
  [131000, 'transient'],
  [131016, 'transient'],
  [131047, 'outsideWindow'],
  [131026, 'undeliverable'],
  [132000, 'template'],
  [132001, 'template'],
  [132005, 'template'],
  [132007, 'template'],
  [132012, 'template'],
  [132015, 'template'],
  [132016, 'template'],
  [190, 'auth'],
  [0, 'auth'],
  [100, 'invalid'],
  [131008, 'invalid'],
  [131009, 'invalid'],
  [131021, 'invalid'],
]);

/** `code` is the Graph `error.code` when the response carried one, else null. */
export function classifyFailure(code: number | null, httpStatus: number | null): SendFailureKind {
  const known = code === null ? undefined : BY_CODE.get(code);
  if (known) return known;
  if (httpStatus === 429) return 'throughput';
  if (httpStatus === 401) return 'auth';
  if (httpStatus !== null && httpStatus >= 500) return 'transient';
  return 'unknown';
}

/** Status webhooks report failures with the same codes (`errors[].code`). */
export const failureKindOfCode = (code: number): SendFailureKind => BY_CODE.get(code) ?? 'unknown';
