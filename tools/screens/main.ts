/**
 * `npm run screens`: writes docs/screens/kk.md and docs/screens/ru.md, every screen and notice of
 * the bot as both channels show it, for proofreading. `--check` only compares (exit 1 when the
 * committed files are out of date).
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOCALES } from '../../src/conversation/core/views.ts';
import { createTranslator } from '../../src/i18n/translator.ts';
import { screensMarkdown } from './markdown.ts';

export const SCREENS_DIR = fileURLToPath(new URL('../../docs/screens/', import.meta.url));

/** The portal's contacts as the demo configuration has them (see src/config/env.ts defaults). */
export const SCREENS_PORTAL = { portal: 'https://egov.kz', supportPhone: '1414' };

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const tr = await createTranslator(SCREENS_PORTAL);
  mkdirSync(SCREENS_DIR, { recursive: true });
  let stale = 0;
  for (const locale of LOCALES) {
    const file = path.join(SCREENS_DIR, `${locale}.md`);
    const text = screensMarkdown(locale, tr);
    if (check) {
      let committed = '';
      try {
        committed = readFileSync(file, 'utf8');
      } catch {
        // missing: stale
      }
      if (committed !== text) {
        stale++;
        console.error(`${path.relative(process.cwd(), file)} is out of date: run npm run screens`);
      }
      continue;
    }
    writeFileSync(file, text);
    console.log(`wrote ${path.relative(process.cwd(), file)} (${text.length} characters)`);
  }
  process.exitCode = stale > 0 ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) await main();
