/**
 * `X-Hub-Signature-256: sha256=<hex>` is the HMAC-SHA256 of the delivered body under the app
 * secret. Meta computes it over its own serialisation, which escapes non-ASCII characters as
 * `\uXXXX` (and "/" as "\/"); a body that reaches us unescaped (a proxy re-encoding it) is also
 * accepted when the HMAC of its escaped form matches. Only the bytes as received, and their
 * escaped forms, are ever hashed — never a re-serialised JSON. Compared in constant time.
 */
import { verifySignature } from '@kapso/whatsapp-cloud-api/server';

export function isSignedByMeta(rawBody: Buffer, header: string | string[] | undefined, appSecret: string): boolean {
  if (typeof header !== 'string' || !/^sha256=[0-9a-fA-F]{64}$/.test(header)) return false;
  const check = (body: Buffer) => verifySignature({ appSecret, rawBody: body, signatureHeader: header.toLowerCase() });
  if (check(rawBody)) return true;
  const text = rawBody.toString('utf8');
  const escaped = escapeNonAscii(text);
  if (escaped !== text && check(Buffer.from(escaped, 'utf8'))) return true;
  const slashes = escapeSlashes(escaped);
  return slashes !== escaped && check(Buffer.from(slashes, 'utf8'));
}

/** Every UTF-16 code unit above 0x7F as `\uxxxx` (lowercase hex, as Meta writes it). */
export function escapeNonAscii(text: string): string {
  return text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** "/" as "\/" where it is not escaped already (preceded by an even number of backslashes). */
export function escapeSlashes(text: string): string {
  return text.replace(/(\\*)\//g, (match, backslashes: string) => (backslashes.length % 2 === 0 ? `${backslashes}\\/` : match));
}
