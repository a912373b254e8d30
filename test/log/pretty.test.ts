/**
 * Readable logs for people (LOG_PRETTY, or a terminal on stdout): lines, not JSON, with the same
 * masking; and the real process started with LOG_PRETTY=1 prints its startup summary that way.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { PROJECT_ROOT } from '../../src/db/migrations/paths.ts';
import { wantsPrettyLogs } from '../../src/log.ts';
import { captureLogs } from './capture.ts';

describe('readable logs', () => {
  it('prints lines with the level and message, fields indented below, personal data masked', () => {
    const { logger, text } = captureLogs({ pretty: true }, 'info');
    logger.info({ phone: '+77012345678', database: 'embedded (data)' }, 'contact with IIN 900514401017');
    const out = text();
    expect(() => JSON.parse(out)).toThrow();
    expect(out).toMatch(/INFO.*contact with IIN 9005••••••17/);
    expect(out).toMatch(/\n\s+database: "embedded \(data\)"/);
    expect(out).not.toMatch(/900514401017|77012345678/);
    expect(out).toContain('+7 7•• ••• ••78');
  });

  it('is chosen by LOG_PRETTY, else by whether stdout is a terminal', () => {
    expect(wantsPrettyLogs(undefined, true)).toBe(true);
    expect(wantsPrettyLogs(undefined, false)).toBe(false);
    expect(wantsPrettyLogs(true, false)).toBe(true);
    expect(wantsPrettyLogs(false, true)).toBe(false);
  });

  it('the process with LOG_PRETTY=1 prints a startup summary a person can read', { timeout: 120_000 }, async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'kq-pretty-'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'bots/main.ts'], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env['PATH'], HOME: process.env['HOME'], DATA_DIR: dataDir, PORT: '0', SEED_DEMO: 'false', LOG_PRETTY: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: string[] = [];
    child.stdout!.on('data', (d) => out.push(String(d)));
    child.stderr!.on('data', (d) => out.push(String(d)));
    try {
      await vi.waitFor(
        () => {
          if (child.exitCode !== null) return; // exited early: the expectations below say what is missing
          expect(out.join('')).toContain('metrics:');
        },
        { timeout: 90_000, interval: 100 },
      );
      const text = out.join('');
      expect(text).toMatch(/INFO.*kindergarten queue assistant is running/);
      for (const line of [
        /database: "embedded \(/,
        /telegram: "off \(set TELEGRAM_BOT_TOKEN\)"/,
        /whatsapp: "off/,
        /console: "http:\/\/localhost:\d+\/admin"/,
        /health: .*\/readyz/,
        /metrics: .*\/metrics/,
      ]) {
        expect(text).toMatch(line);
      }
      expect(text).not.toMatch(/^\{"level"/m);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
