import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/db/client.ts';
import { acquireDataDirLock, DatabaseInUseError, isProcessAlive, LOCK_FILE } from '../../src/db/lockfile.ts';
import { tempDir, removeTempDirs } from './support.ts';

afterAll(removeTempDirs);

/** A pid that belonged to a process which has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  expect(isProcessAlive(child.pid!)).toBe(false);
  return child.pid!;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('data directory lock', () => {
  it('writes our pid, refuses a second holder, and is free again after release', async () => {
    const dir = await tempDir('lock');
    const lock = await acquireDataDirLock(dir);
    expect(await fs.readFile(path.join(dir, LOCK_FILE), 'utf8')).toBe(`${process.pid}\n`);

    await expect(acquireDataDirLock(dir)).rejects.toBeInstanceOf(DatabaseInUseError);
    await lock.release();
    await expect(fs.access(path.join(dir, LOCK_FILE))).rejects.toThrow();

    const again = await acquireDataDirLock(dir);
    await again.release();
  });

  it('refuses a lock held by another live process, naming it and the way out', async () => {
    const dir = await tempDir('lock');
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)']);
    cleanups.push(() => void other.kill());
    await fs.writeFile(path.join(dir, LOCK_FILE), `${other.pid}\n`);

    const error = await acquireDataDirLock(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseInUseError);
    expect((error as Error).message).toBe(
      `The embedded database in ${dir}/ is in use by process ${other.pid}. Stop it first, or set DATABASE_URL to use PostgreSQL.`,
    );
    // The other process's lock is left alone.
    expect(await fs.readFile(path.join(dir, LOCK_FILE), 'utf8')).toBe(`${other.pid}\n`);
  });

  it('takes over a stale lock whose process is gone', async () => {
    const dir = await tempDir('lock');
    await fs.writeFile(path.join(dir, LOCK_FILE), `${await deadPid()}\n`);
    const lock = await acquireDataDirLock(dir);
    expect(await fs.readFile(path.join(dir, LOCK_FILE), 'utf8')).toBe(`${process.pid}\n`);
    await lock.release();
  });

  it('takes over a lock with our own pid that this process does not hold (pid reused after a restart)', async () => {
    const dir = await tempDir('lock');
    await fs.writeFile(path.join(dir, LOCK_FILE), `${process.pid}\n`);
    const lock = await acquireDataDirLock(dir);
    await lock.release();
  });

  it('takes over an unreadable lock', async () => {
    const dir = await tempDir('lock');
    await fs.writeFile(path.join(dir, LOCK_FILE), 'garbage');
    const lock = await acquireDataDirLock(dir);
    await lock.release();
  });
});

describe('embedded database', () => {
  it('refuses a second opener of the same data directory and keeps the first one working', async () => {
    const dataDir = await tempDir('data');
    const first = await openDatabase({ kind: 'embedded', dataDir });
    cleanups.push(() => first.close());

    const error = await openDatabase({ kind: 'embedded', dataDir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseInUseError);
    expect(await first.prisma.kindergarten.count()).toBe(0);
  });

  it('persists across close and reopen, and opens over a stale lock', async () => {
    const dataDir = await tempDir('data');
    let db: Database = await openDatabase({ kind: 'embedded', dataDir });
    await db.prisma.kindergarten.create({ data: kindergarten(7) });
    await db.close();
    await expect(fs.access(path.join(dataDir, LOCK_FILE))).rejects.toThrow();

    // As if the previous owner had crashed without removing its lock.
    await fs.writeFile(path.join(dataDir, LOCK_FILE), `${await deadPid()}\n`);
    db = await openDatabase({ kind: 'embedded', dataDir });
    cleanups.push(() => db.close());
    expect((await db.prisma.kindergarten.findUnique({ where: { number: 7 } }))?.nameRu).toBe('Детский сад 7');
  });
});

function kindergarten(n: number) {
  return {
    number: n,
    nameKk: `${n} балабақша`,
    nameRu: `Детский сад ${n}`,
    addressKk: 'Абай к-сі, 1',
    addressRu: 'ул. Абая, 1',
    ownership: 'STATE' as const,
    languages: ['KK' as const, 'RU' as const],
    capacity: 120,
    district: 'Алмалинский',
    latitude: 43.25,
    longitude: 76.9,
  };
}
