import type { Text } from '../conversation/io.ts';

/**
 * A kindergarten as parents and operators read it: "№12 Балапан", or just the name when the
 * registry's name already carries the number ("Детский сад № 12 «Балапан»") — i18next's context
 * then picks `kindergarten.short_inName`.
 */
export function kindergartenText(number: number, name: string): Text {
  const inName = new RegExp(`№\\s*${number}(?!\\d)`).test(name);
  return { key: 'kindergarten.short', params: { number, name, ...(inName ? { context: 'inName' } : {}) } };
}
