/**
 * The shape of a deep link's code as a parent's message may carry it (a WhatsApp deep link
 * prefills the message with it): pure syntax, so the conversation core can recognise it without
 * the signing code of src/links.
 */

/** A link code standing alone in a message: "L" and 23 URL-safe characters. */
const CODE_IN_TEXT = /(?:^|\s)(L[A-Za-z0-9_-]{23})(?=\s|$)/;

/** The link code a message carries as a word of its own, if any (it need not be a valid one). */
export function findLinkCode(text: string): string | null {
  return CODE_IN_TEXT.exec(text)?.[1] ?? null;
}
