import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/db/migrations/paths.ts';

/** The allocation sites V8 weighed for pretenuring in a child process, tuned or not. */
function pretenuringVerdicts(mode: 'tuned' | 'defaults'): string[] {
  const child = spawnSync(
    process.execPath,
    ['--trace-pretenuring-statistics', '--import', 'tsx', path.join(PROJECT_ROOT, 'test/runtime/pretenuring-child.ts'), mode],
    { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 60_000 },
  );
  expect(child.status, child.stderr).toBe(0);
  expect(child.stdout).toContain('kept 200000');
  // "pretenuring: AllocationSite(0x…): (created, found, ratio) (8940, 8940, 1.000000) undecided => maybe tenure"
  return child.stdout.split('\n').filter((line) => /pretenuring: AllocationSite\(.*=>/.test(line));
}

describe('tuneV8', () => {
  it('turns allocation-site pretenuring off at run time: V8 no longer weighs sites for the old generation', () => {
    // With V8's defaults the same allocations are weighed (the check can fail)...
    expect(pretenuringVerdicts('defaults').length).toBeGreaterThan(0);
    // ...and once the product's setting is applied, never.
    expect(pretenuringVerdicts('tuned')).toEqual([]);
  }, 120_000);
});
