/**
 * The product processes under test: `node --no-allocation-site-pretenuring --import tsx bots/main.ts` (the start command) run directly (not via the
 * tsx wrapper binary, whose SIGKILL would leave the real process running). Each slot keeps a fixed
 * INSTANCE_ID across restarts, as a deployment would, so a restarted dispatcher releases the claims
 * its killed predecessor left behind at once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/db/migrations/paths.ts';
import { V8_FLAGS } from '../../src/v8-tuning.ts';

export interface Instance {
  slot: number;
  id: string;
  port: number;
  /** Base URL while the process is up and serving; null otherwise. */
  url: string | null;
  child: ChildProcess | null;
  starts: number;
  kills: number;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const READY = 'kindergarten queue assistant is running';

export class Instances {
  readonly all: Instance[] = [];
  private readonly logs = new Map<number, WriteStream>();

  constructor(
    private readonly env: Record<string, string>,
    private readonly logDir: string,
  ) {}

  async add(count: number): Promise<void> {
    for (let slot = 1; slot <= count; slot++) {
      this.all.push({ slot, id: `chaos-${slot}`, port: await freePort(), url: null, child: null, starts: 0, kills: 0 });
      this.logs.set(slot, createWriteStream(path.join(this.logDir, `instance-${slot}.log`), { flags: 'a' }));
    }
  }

  live(): Instance[] {
    return this.all.filter((i) => i.url !== null);
  }

  /** Starts the slot's process and resolves once it says it is running (webhook set, dispatcher on). */
  start(inst: Instance, timeoutMs = 90_000): Promise<void> {
    const log = this.logs.get(inst.slot)!;
    const child = spawn(process.execPath, [...V8_FLAGS, '--import', 'tsx', 'bots/main.ts'], {
      cwd: PROJECT_ROOT,
      env: { ...this.env, PORT: String(inst.port), INSTANCE_ID: inst.id },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    inst.child = child;
    inst.starts++;
    log.write(`\n=== start #${inst.starts} pid ${child.pid} at ${new Date().toISOString()}\n`);
    return new Promise((resolve, reject) => {
      let seen = '';
      const timer = setTimeout(() => reject(new Error(`instance ${inst.id} did not start within ${timeoutMs} ms (see ${this.logDir})`)), timeoutMs);
      child.stdout!.on('data', (d: Buffer) => {
        log.write(d);
        if (inst.url === null && inst.child === child) {
          seen = (seen + d.toString()).slice(-4096);
          if (seen.includes(READY)) {
            inst.url = `http://127.0.0.1:${inst.port}`;
            clearTimeout(timer);
            resolve();
          }
        }
      });
      child.stderr!.on('data', (d: Buffer) => log.write(d));
      child.once('exit', (code, signal) => {
        log.write(`=== exit code ${code} signal ${signal}\n`);
        if (inst.child === child) {
          inst.url = null;
          inst.child = null;
        }
        clearTimeout(timer);
        reject(new Error(`instance ${inst.id} exited before it was ready (code ${code}, signal ${signal})`));
      });
    });
  }

  /** SIGKILL: no handler runs, whatever was in flight is cut off. */
  async kill(inst: Instance): Promise<void> {
    const child = inst.child;
    if (!child) return;
    inst.url = null;
    inst.kills++;
    this.logs.get(inst.slot)!.write(`=== SIGKILL at ${new Date().toISOString()}\n`);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }

  /** SIGTERM and the exit code (0 expected: graceful shutdown). */
  async stop(inst: Instance, timeoutMs = 60_000): Promise<number | null> {
    const child = inst.child;
    if (!child) return null;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const code = await exited;
    clearTimeout(timer);
    inst.url = null;
    inst.child = null;
    return code;
  }

  async close(): Promise<void> {
    for (const inst of this.all) if (inst.child) inst.child.kill('SIGKILL');
    await Promise.all([...this.logs.values()].map((l) => new Promise<void>((resolve) => l.end(() => resolve()))));
  }
}
