import type { Text } from './io.ts';

/**
 * A kindergarten as parents and operators read it: "№12 Балапан", or just the name when the
 * registry's name already carries the number ("Детский сад № 12 «Балапан»") — i18next's context
 * then picks `kindergarten.short_inName`. `proper` is the name alone ("Балапан") for where room
 * is short (WhatsApp's list rows: "№ 12 Балапан").
 */
export function kindergartenText(number: number, name: string): Text {
  const inName = new RegExp(`№\\s*${number}(?!\\d)`).test(name);
  return { key: 'kindergarten.short', params: { number, name, proper: properName(name, number), ...(inName ? { context: 'inName' } : {}) } };
}

/**
 * The proper name inside a registry name: the innermost «…» ("ГККП «Ясли-сад № 5 «Айгөлек»»" →
 * "Айгөлек"), or the name without its number and the words around it when it has no quotes.
 */
export function properName(name: string, number: number): string {
  const quoted = [...name.matchAll(/«([^«»]+)»/g)].at(-1)?.[1]?.trim();
  if (quoted) return quoted;
  const bare = name
    .replace(new RegExp(`№\\s*${number}(?!\\d)`), '')
    .replace(/\s+/g, ' ')
    .trim();
  return bare.length > 0 ? bare : name;
}
