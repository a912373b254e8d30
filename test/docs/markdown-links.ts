/**
 * Relative links and anchors of Markdown files, as GitHub renders them: every `[text](target)`
 * outside code, the file or folder it names, and the anchor — a heading's slug (GitHub's rule:
 * lower case, punctuation dropped, spaces to hyphens, repeats numbered) or an explicit
 * `<a id="…">`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export interface BrokenLink {
  file: string;
  target: string;
  problem: string;
}

/** The text without its fenced code blocks. */
function withoutFences(text: string): string {
  return text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
}

/** The text with fenced code blocks and inline code spans blanked out. */
function withoutCode(text: string): string {
  return withoutFences(text).replace(/`[^`\n]*`/g, '``');
}

export function linksOf(text: string): string[] {
  const out: string[] = [];
  for (const m of withoutCode(text).matchAll(/!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) out.push(m[1]!);
  return out;
}

export function slug(heading: string): string {
  const plain = heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .trim()
    .toLowerCase();
  return plain.replace(/[^\p{L}\p{N}\p{M}\p{Pc}\- ]/gu, '').replace(/ /g, '-');
}

export function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  // A heading's inline code is part of its slug on GitHub: only fenced blocks are left out.
  for (const m of withoutFences(text).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = slug(m[1]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  for (const m of text.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(m[1]!);
  return anchors;
}

export function brokenLinks(file: string, text: string = readFileSync(file, 'utf8')): BrokenLink[] {
  const broken: BrokenLink[] = [];
  for (const target of linksOf(text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: …
    const [rawPath = '', anchor] = target.split('#', 2) as [string, string | undefined];
    const resolved = rawPath === '' ? file : path.resolve(path.dirname(file), decodeURIComponent(rawPath));
    if (!existsSync(resolved)) {
      broken.push({ file, target, problem: 'no such file or folder' });
      continue;
    }
    if (anchor === undefined || anchor === '') continue;
    if (statSync(resolved).isDirectory() || !resolved.endsWith('.md')) {
      broken.push({ file, target, problem: 'an anchor into something that is not a Markdown file' });
      continue;
    }
    const target_text = resolved === file ? text : readFileSync(resolved, 'utf8');
    if (!anchorsOf(target_text).has(decodeURIComponent(anchor))) broken.push({ file, target, problem: `no heading or anchor "${anchor}"` });
  }
  return broken;
}
