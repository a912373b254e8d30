/**
 * Every relative link and anchor in README.md and docs/ leads somewhere: the file or folder exists
 * and the anchor is one of its headings (or an explicit anchor). And the documentation keeps its
 * shape: the README short, the documents it promises present.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/db/migrations/paths.ts';
import { anchorsOf, brokenLinks, linksOf, slug } from './markdown-links.ts';

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? markdownFiles(path.join(dir, e.name)) : e.name.endsWith('.md') ? [path.join(dir, e.name)] : [],
  );
}

const FILES = [path.join(PROJECT_ROOT, 'README.md'), ...markdownFiles(path.join(PROJECT_ROOT, 'docs'))];

describe('documentation links', () => {
  it.each(FILES.map((f) => [path.relative(PROJECT_ROOT, f), f]))('%s: every relative link and anchor resolves', (_name, file) => {
    expect(brokenLinks(file)).toEqual([]);
  });

  it('the README links every document in docs/ and stays short', () => {
    const readme = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
    expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(12 * 1024);
    const linked = new Set(linksOf(readme).map((l) => l.split('#')[0]));
    const docs = readdirSync(path.join(PROJECT_ROOT, 'docs')).filter((f) => f.endsWith('.md'));
    expect(docs.filter((d) => !linked.has(`docs/${d}`))).toEqual([]);
    for (const d of ['telegram', 'whatsapp', 'operators', 'deployment', 'architecture', 'performance', 'reliability']) expect(docs).toContain(`${d}.md`);
  });

  it('finds what is broken: a missing file, a missing heading, an anchor into a folder', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kq-links-'));
    try {
      writeFileSync(
        path.join(dir, 'other.md'),
        '# Other page\n\n## Seasons, reminders and the purge\n\n## Seasons, reminders and the purge\n<a id="s1-start"></a>\n',
      );
      const file = path.join(dir, 'doc.md');
      writeFileSync(
        file,
        [
          '# Doc',
          '[ok](other.md#seasons-reminders-and-the-purge) [second](other.md#seasons-reminders-and-the-purge-1) [explicit](other.md#s1-start)',
          '[self](#doc) [web](https://example.com/x#y) `[code](nowhere.md)`',
          '```',
          '[fenced](nowhere.md)',
          '```',
          '[gone](missing.md) [bad anchor](other.md#nope) [folder anchor](.#x)',
        ].join('\n'),
      );
      expect(brokenLinks(file).map((b) => b.target)).toEqual(['missing.md', 'other.md#nope', '.#x']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("makes GitHub's heading slugs", () => {
    expect(slug("The product's one V8 setting")).toBe('the-products-one-v8-setting');
    expect(slug('2. Message templates (submit once, before the first season)')).toBe('2-message-templates-submit-once-before-the-first-season');
    expect(slug('The chaos run (`npm run chaos`)')).toBe('the-chaos-run-npm-run-chaos');
    expect(slug('Вопрос 1: детские сады')).toBe('вопрос-1-детские-сады');
    expect([...anchorsOf('# A\n## A\n')]).toEqual(['a', 'a-1']);
    expect([...anchorsOf('## The chaos run (`npm run chaos`)\n```\n# not a heading\n```\n')]).toEqual(['the-chaos-run-npm-run-chaos']);
  });
});
