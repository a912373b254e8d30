/**
 * The Cloud API's documented limits for what the channel sends. Lengths are counted in UTF-16
 * code units (what JavaScript's `length` and the client library's validators count), which is
 * never less than the characters Meta counts, so a text within these limits is within Meta's.
 */
export const LIMITS = {
  /** A plain text message body. */
  textBody: 4096,
  /** The body of an interactive (reply buttons or list) message. */
  interactiveBody: 1024,
  replyButtons: 3,
  replyButtonTitle: 20,
  replyId: 256,
  listRows: 10,
  listSections: 10,
  listRowTitle: 24,
  listRowDescription: 72,
  listRowId: 200,
  listButton: 20,
  listSectionTitle: 24,
} as const;

const ELLIPSIS = '…';

/**
 * Shortens a label to `max` code units, at a word boundary when one is near the end, with an
 * ellipsis; never splits a surrogate pair.
 */
export function shorten(text: string, max: number): string {
  const clean = text.replace(/[ \t\r\n]+/g, ' ').trim();
  if (clean.length <= max) return clean;
  let cut = max - ELLIPSIS.length;
  if (isHighSurrogate(clean.charCodeAt(cut - 1))) cut -= 1;
  let head = clean.slice(0, cut);
  const space = head.lastIndexOf(' ');
  // A word boundary only when it costs little: the end of a label is often what tells rows apart.
  if (space >= Math.floor(cut * 0.8)) head = head.slice(0, space);
  return head.replace(/[\s,.;:–—-]+$/u, '') + ELLIPSIS;
}

/** Splits a long text into chunks of at most `max` code units, preferring paragraph and line breaks. */
export function splitText(text: string, max: number): string[] {
  const chunks: string[] = [];
  let rest = text.trim();
  while (rest.length > max) {
    let cut = rest.lastIndexOf('\n\n', max);
    if (cut < max / 2) cut = rest.lastIndexOf('\n', max);
    if (cut < max / 2) cut = rest.lastIndexOf(' ', max);
    if (cut < max / 2) cut = isHighSurrogate(rest.charCodeAt(max - 1)) ? max - 1 : max;
    chunks.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest.length > 0) chunks.push(rest);
  return chunks;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
