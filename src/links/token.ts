/**
 * The tokens of deep links and stop links: a prefix naming the purpose, an unguessable id (the
 * `link_tokens` row) and an HMAC of both with the deployment's secret, in 24 characters of
 * `A-Za-z0-9_-` — what Telegram's `start` parameter accepts (at most 64), short enough for an SMS
 * and safe in a URL without escaping.
 *
 *   L + id (8 random bytes, 11 chars) + mac (9 bytes of HMAC-SHA256("link:" + id), 12 chars)
 *   S + the same id                   + mac of "stop:" + id
 *
 * The signature refuses a forged or mistyped token before any query, and the row stores only the
 * id: someone who reads `link_tokens` still cannot build a working link. 64 bits of id against
 * 72 bits of signature: guessing either is hopeless at any rate a webhook could carry.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type TokenPurpose = 'link' | 'stop';

const PREFIX: Record<TokenPurpose, string> = { link: 'L', stop: 'S' };
const ID_BYTES = 8;
const MAC_BYTES = 9;
const ID_CHARS = 11;
const MAC_CHARS = 12;
export const TOKEN_LENGTH = 1 + ID_CHARS + MAC_CHARS;

const SHAPE = /^[LS][A-Za-z0-9_-]{23}$/;

export const newTokenId = (): string => randomBytes(ID_BYTES).toString('base64url');

function mac(secret: Buffer, purpose: TokenPurpose, id: string): Buffer {
  return createHmac('sha256', secret).update(`${purpose}:${id}`).digest().subarray(0, MAC_BYTES);
}

export function signToken(secret: Buffer, purpose: TokenPurpose, id: string): string {
  if (!/^[A-Za-z0-9_-]{11}$/.test(id)) throw new Error('a token id is 11 characters of base64url');
  return PREFIX[purpose] + id + mac(secret, purpose, id).toString('base64url');
}

/** The id of a token signed with this secret for this purpose; null for anything else. */
export function verifyToken(secret: Buffer, purpose: TokenPurpose, token: string): string | null {
  if (typeof token !== 'string' || !SHAPE.test(token) || token[0] !== PREFIX[purpose]) return null;
  const id = token.slice(1, 1 + ID_CHARS);
  const given = Buffer.from(token.slice(1 + ID_CHARS), 'base64url');
  const expected = mac(secret, purpose, id);
  return given.length === expected.length && timingSafeEqual(given, expected) ? id : null;
}

export { findLinkCode } from '../domain/link-code.ts';
