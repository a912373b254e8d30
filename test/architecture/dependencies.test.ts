/**
 * The dependency rules of docs/architecture.md, read from the import statements of the sources:
 * the core never imports a channel, the conversation core imports only itself and the pure rules
 * (so the step, with all it imports, reaches no database, HTTP or platform), bots/ reaches the
 * conversation only through its public face, and the pure rules import nothing else of the
 * product. A planted wrong-way import shows the rules catch what they are for.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
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
  const specs = [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm), ...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)].map(
    (m) => m[1]!,
  );
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

/**
 * The conversation core (src/conversation/core/) imports only itself, the questionnaire, the
 * domain rules and zod: "file → import" for each import that breaks it, under `root`.
 */
function coreViolations(root: string): string[] {
  const core = path.join(root, 'src/conversation/core') + path.sep;
  const allowed = ['src/conversation/core/', 'src/questionnaire/', 'src/domain/'].map((d) => path.join(root, d));
  return sources(core).flatMap((f) => {
    const i = importsOf(f);
    const files = i.files.filter((x) => !allowed.some((a) => x.startsWith(a)));
    const packages = i.packages.filter((x) => x !== 'zod');
    return [...files, ...packages].map((x) => `${path.relative(root, f)} → ${path.isAbsolute(x) ? path.relative(root, x) : x}`);
  });
}

/**
 * bots/ reaches src/ only through faces: a top-level file of src/ (app.ts, log.ts…) or a folder's
 * index.ts (src/conversation/index.ts, src/campaign/index.ts…), never a file inside a folder.
 */
function deepImports(root: string): string[] {
  const src = path.join(root, 'src') + path.sep;
  return sources(path.join(root, 'bots')).flatMap((f) =>
    importsOf(f)
      .files.filter((x) => x.startsWith(src))
      .filter((x) => {
        const inside = path.relative(src, x).split(path.sep);
        return inside.length > 2 || (inside.length === 2 && inside[1] !== 'index.ts');
      })
      .map((x) => `${path.relative(root, f)} → ${path.relative(root, x)}`),
  );
}

describe('dependency rules', () => {
  it('the core (src/) never imports a channel (bots/)', () => {
    const bots = path.join(PROJECT_ROOT, 'bots') + path.sep;
    const offenders = sources(SRC).filter((f) => importsOf(f).files.some((i) => i.startsWith(bots)));
    expect(offenders.map(rel)).toEqual([]);
  });

  it('the conversation step, with everything it imports, reaches no database, HTTP or platform', () => {
    const { files, packages } = closure(path.join(SRC, 'conversation/core/step.ts'));
    expect(files.size).toBeGreaterThan(5);
    const impure = ['src/db/', 'src/services/', 'src/generated/', 'src/http/', 'src/inbox/', 'src/campaign/', 'src/console/', 'bots/'];
    expect([...files].map(rel).filter((f) => impure.some((d) => f.startsWith(d)))).toEqual([]);
    expect([...packages].filter((p) => /^(node:)?(fs|http|https|net|child_process)$|prisma|^pg|pglite|grammy|whatsapp|fastify/.test(p))).toEqual([]);
  });

  it('the conversation core imports only itself, the questionnaire, the domain rules and zod', () => {
    expect(coreViolations(PROJECT_ROOT)).toEqual([]);
  });

  it("bots/ reaches src/ only through faces (a folder's index.ts, or a top-level file)", () => {
    expect(deepImports(PROJECT_ROOT)).toEqual([]);
  });

  it('the rules catch what they are for (planted wrong-way imports)', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'kq-deps-'));
    try {
      const write = (file: string, text: string) => {
        mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        writeFileSync(path.join(root, file), text);
      };
      write(
        'src/conversation/core/step.ts',
        "import { x } from '../../questionnaire/catalog.ts';\nimport { db } from '../../db/client.ts';\nimport pino from 'pino';\n",
      );
      write('src/conversation/index.ts', "export { step } from './core/step.ts';\n");
      write(
        'bots/telegram/render.ts',
        "import { step } from '../../src/conversation/index.ts';\nimport { io } from '../../src/conversation/core/io.ts';\nimport { log } from '../../src/log.ts';\nimport { x } from '../../src/inbox/inbox.ts';\n",
      );
      expect(coreViolations(root)).toEqual(['src/conversation/core/step.ts → src/db/client.ts', 'src/conversation/core/step.ts → pino']);
      expect(deepImports(root)).toEqual(['bots/telegram/render.ts → src/conversation/core/io.ts', 'bots/telegram/render.ts → src/inbox/inbox.ts']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it.each([
    ['services', 'stats'],
    ['stats', 'campaign'],
  ])('src/%s/ does not import src/%s/ (the layers point one way)', (from, to) => {
    const target = path.join(SRC, to) + path.sep;
    const wrong = sources(path.join(SRC, from)).flatMap((f) =>
      importsOf(f)
        .files.filter((i) => i.startsWith(target))
        .map((i) => `${rel(f)} → ${rel(i)}`),
    );
    expect(wrong).toEqual([]);
  });

  it.each(['scripts', 'test-support', 'src', 'bots'])('%s/ never imports a test file (what tests and scripts share lives in test-support/)', (dir) => {
    const tests = path.join(PROJECT_ROOT, 'test') + path.sep;
    const wrong = sources(path.join(PROJECT_ROOT, dir)).flatMap((f) =>
      importsOf(f)
        .files.filter((i) => i.startsWith(tests))
        .map((i) => `${rel(f)} → ${rel(i)}`),
    );
    expect(wrong).toEqual([]);
  });

  it.each(['domain', 'questionnaire'])('src/%s/ imports nothing else of the product', (dir) => {
    const root = path.join(SRC, dir) + path.sep;
    const outside = sources(path.join(SRC, dir)).flatMap((f) =>
      importsOf(f)
        .files.filter((i) => !i.startsWith(root))
        .map((i) => `${rel(f)} → ${rel(i)}`),
    );
    expect(outside).toEqual([]);
  });
});
