/**
 * PostgreSQL text and jsonb cannot hold U+0000, and jsonb refuses unpaired UTF-16 surrogates,
 * both of which a JSON webhook body can carry ("\u0000", "\ud800"). Such characters are replaced
 * with U+FFFD before anything platform-supplied is stored or queried, so a stray character in a
 * parent's message cannot fail the update (found by fuzzing the webhooks).
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: U+0000 is the character PostgreSQL cannot store
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function jsonSafeString(s: string): string {
  return s.replace(UNSTORABLE, '\ufffd');
}

/** A copy of a JSON-like value with every string (keys too) made storable; other values as they are. */
export function jsonSafe<T>(value: T): T {
  if (typeof value === 'string') return jsonSafeString(value) as T;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => jsonSafe(v)) as T;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [jsonSafeString(k), jsonSafe(v)])) as T;
}
