/**
 * The dependency rules of docs/architecture.md, read from the import statements of the sources:
 * the core never imports a channel, the conversation step (with all it imports) reaches no
 * database, HTTP or platform, and the pure rules import nothing else of the product.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/db/migrations/paths.ts';

const SRC = path.join(PROJECT_ROOT, 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'generated' ? [] : sources(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** What a file imports: project files resolved to absolute paths, packages by name. */
function importsOf(file: string): { files: string[]; packages: string[] } {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm), ...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]!);
  return {
    files: specs.filter((s) => s.startsWith('.')).map((s) => path.resolve(path.dirname(file), s)),
    packages: specs.filter((s) => !s.startsWith('.')),
  };
}

function closure(start: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const todo = [start];
  while (todo.length > 0) {
    const f = todo.pop()!;
    if (files.has(f)) continue;
    files.add(f);
    const i = importsOf(f);
    i.packages.forEach((p) => packages.add(p));
    todo.push(...i.files);
  }
  return { files, packages };
}

const rel = (f: string) => path.relative(PROJECT_ROOT, f);

describe('dependency rules', () => {
  it('the core (src/) never imports a channel (bots/)', () => {
    const bots = path.join(PROJECT_ROOT, 'bots') + path.sep;
    const offenders = sources(SRC).filter((f) => importsOf(f).files.some((i) => i.startsWith(bots)));
    expect(offenders.map(rel)).toEqual([]);
  });

  it('the conversation step, with everything it imports, reaches no database, HTTP or platform', () => {
    const { files, packages } = closure(path.join(SRC, 'conversation/step.ts'));
    expect(files.size).toBeGreaterThan(5);
    const impure = ['src/db/', 'src/services/', 'src/generated/', 'src/http/', 'src/inbox/', 'src/campaign/', 'src/console/', 'bots/'];
    expect([...files].map(rel).filter((f) => impure.some((d) => f.startsWith(d)))).toEqual([]);
    expect([...packages].filter((p) => /^(node:)?(fs|http|https|net|child_process)$|prisma|^pg|pglite|grammy|whatsapp|fastify/.test(p))).toEqual([]);
  });

  it.each(['domain', 'questionnaire'])('src/%s/ imports nothing else of the product', (dir) => {
    const root = path.join(SRC, dir) + path.sep;
    const outside = sources(path.join(SRC, dir)).flatMap((f) => importsOf(f).files.filter((i) => !i.startsWith(root)).map((i) => `${rel(f)} → ${rel(i)}`));
    expect(outside).toEqual([]);
  });
});
