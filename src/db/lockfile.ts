import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { unlinkSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * PGlite has no inter-process locking: two processes on one data directory silently lose writes.
 * A `<dataDir>/.lock` file holding the owner's pid keeps a second process out; a lock whose
 * process is gone is taken over.
 */
export const LOCK_FILE = '.lock';

export class DatabaseInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    const where = `The embedded database in ${dataDir.replace(/\/+$/, '')}/`;
    super(
      pid === process.pid
        ? `${where} is already open in this process. Close it first.`
        : `${where} is in use by process ${pid}. Stop it first, or set DATABASE_URL to use PostgreSQL.`,
    );
    this.name = 'DatabaseInUseError';
  }
}

export interface DataDirLock {
  readonly path: string;
  release(): Promise<void>;
}

/** Locks held by this process, by absolute path; also what the exit hook cleans up. */
const held = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const p of held) if (readOwner(p) === process.pid) tryUnlinkSync(p);
  });
}

function tryUnlinkSync(p: string): void {
  try {
    unlinkSync(p);
  } catch {
    // already gone
  }
}

function readOwner(lockPath: string): number | null {
  try {
    return parsePid(readFileSync(lockPath, 'utf8'));
  } catch {
    return null;
  }
}

function parsePid(content: string): number {
  const pid = Number.parseInt(content.trim(), 10);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : 0;
}

export function isProcessAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Creates the lock file with its content in one step, so nobody reads a half-written lock. */
async function createExclusive(lockPath: string, content: string): Promise<boolean> {
  const tmp = `${lockPath}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await fs.writeFile(tmp, content);
  try {
    await fs.link(tmp, lockPath);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    await fs.unlink(tmp).catch(() => {});
  }
}

/**
 * Moves a stale lock aside. If another process replaced it meanwhile, its lock is put back and
 * the caller looks again.
 */
async function removeStale(lockPath: string, staleContent: string): Promise<void> {
  const aside = `${lockPath}.stale.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    await fs.rename(lockPath, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  if ((await fs.readFile(aside, 'utf8')) !== staleContent) await fs.link(aside, lockPath).catch(() => {});
  await fs.unlink(aside).catch(() => {});
}

export async function acquireDataDirLock(dataDir: string): Promise<DataDirLock> {
  const lockPath = path.resolve(dataDir, LOCK_FILE);
  if (held.has(lockPath)) throw new DatabaseInUseError(dataDir, process.pid);
  await fs.mkdir(path.dirname(lockPath), { recursive: true });
  const content = `${process.pid}\n`;

  for (let attempt = 0; attempt < 5; attempt++) {
    if (await createExclusive(lockPath, content)) {
      held.add(lockPath);
      installExitHook();
      return {
        path: lockPath,
        async release() {
          if (!held.delete(lockPath)) return;
          if (readOwner(lockPath) === process.pid) await fs.unlink(lockPath).catch(() => {});
        },
      };
    }
    const existing = await fs.readFile(lockPath, 'utf8').catch(() => null);
    if (existing === null) continue; // released meanwhile
    const owner = parsePid(existing);
    // Our own pid in a lock we do not hold was left by an earlier process that had the same pid
    // (common in containers, where the app is always pid 1).
    if (owner !== process.pid && isProcessAlive(owner)) throw new DatabaseInUseError(dataDir, owner);
    await removeStale(lockPath, existing);
  }
  throw new Error(`Could not take the lock ${lockPath}: it keeps changing hands.`);
}
