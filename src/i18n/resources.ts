import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOCALES, type Locale } from '../conversation/core/views.ts';

export const LOCALES_DIR = fileURLToPath(new URL('../../locales/', import.meta.url));

export type ResourceTree = { [key: string]: string | ResourceTree };

/**
 * A locale's texts: every JSON file of locales/<lng>/ merged into one tree. Files only organise
 * the texts; two files defining the same key is an error, so no text silently shadows another.
 */
export function loadLocale(locale: Locale, dir = LOCALES_DIR): ResourceTree {
  const tree: ResourceTree = {};
  const folder = path.join(dir, locale);
  for (const file of readdirSync(folder)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const content = JSON.parse(readFileSync(path.join(folder, file), 'utf8')) as ResourceTree;
    merge(tree, content, `${locale}/${file}`);
  }
  return tree;
}

export function loadAllLocales(dir = LOCALES_DIR): Record<Locale, ResourceTree> {
  return Object.fromEntries(LOCALES.map((l) => [l, loadLocale(l, dir)])) as Record<Locale, ResourceTree>;
}

function merge(into: ResourceTree, from: ResourceTree, origin: string, prefix = ''): void {
  for (const [key, value] of Object.entries(from)) {
    const existing = into[key];
    if (typeof value === 'string' || typeof existing === 'string') {
      if (existing !== undefined) throw new Error(`${origin}: text "${prefix}${key}" is defined twice`);
      into[key] = value;
    } else {
      if (existing === undefined) into[key] = {};
      merge(into[key] as ResourceTree, value, origin, `${prefix}${key}.`);
    }
  }
}

/** Every key of a tree as a dotted path. */
export function flattenKeys(tree: ResourceTree, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([k, v]) => (typeof v === 'string' ? [`${prefix}${k}`] : flattenKeys(v, `${prefix}${k}.`)));
}
