import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/db/migrations/paths.ts';
import { missingV8Flags, V8_FLAGS } from '../../src/v8-tuning.ts';

/** The allocation sites V8 weighed for pretenuring in a child process started with `flags`. */
function pretenuringVerdicts(flags: readonly string[]): string[] {
  const child = spawnSync(
    process.execPath,
    [...flags, '--trace-pretenuring-statistics', '--import', 'tsx', path.join(PROJECT_ROOT, 'test/runtime/pretenuring-child.ts')],
    { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 60_000 },
  );
  expect(child.status, child.stderr).toBe(0);
  expect(child.stdout).toContain('kept 200000');
  // "pretenuring: AllocationSite(0x…): (created, found, ratio) (8940, 8940, 1.000000) undecided => maybe tenure"
  return child.stdout.split('\n').filter((line) => /pretenuring: AllocationSite\(.*=>/.test(line));
}

const read = (file: string) => readFileSync(path.join(PROJECT_ROOT, file), 'utf8');

describe("the product's V8 flags", () => {
  it('turn allocation-site pretenuring off: V8 no longer weighs sites for the old generation', () => {
    // With V8's defaults the same allocations are weighed (the check can fail)...
    expect(pretenuringVerdicts([]).length).toBeGreaterThan(0);
    // ...and with the start command's flags, never.
    expect(pretenuringVerdicts(V8_FLAGS)).toEqual([]);
  }, 120_000);

  it('are on every command that starts the product', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    const unit = read('deploy/systemd/kindergarten-queue.service')
      .split('\n')
      .find((line) => line.startsWith('ExecStart='));
    for (const command of [scripts['start'], scripts['bench:conversation'], unit]) {
      expect(command).toMatch(/bots\/main\.ts|conversation\.ts/);
      expect(missingV8Flags(command!.split(/\s+/))).toEqual([]);
    }
    // The chaos run's instances take them from the module itself.
    expect(read('scripts/chaos/instances.ts')).toContain("[...V8_FLAGS, '--import', 'tsx', 'bots/main.ts']");
  });

  it('are found missing from a command line without them', () => {
    expect(missingV8Flags(['--import', 'tsx'])).toEqual([...V8_FLAGS]);
    expect(missingV8Flags([...V8_FLAGS, '--import', 'tsx'])).toEqual([]);
  });
});
