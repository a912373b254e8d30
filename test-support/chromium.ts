/** Debian's Chromium for the browser tests, where installed (`.ci/run` installs it); null elsewhere. */
import { execFileSync } from 'node:child_process';

export function findChromium(): string | null {
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || null;
    } catch {
      // not this one
    }
  }
  return null;
}
