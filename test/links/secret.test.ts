import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env.ts';
import { resolveLinkSecret, SECRET_FILE } from '../../src/links/secret.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});
const tempDir = async () => {
  const d = await mkdtemp(path.join(os.tmpdir(), 'kq-link-secret-'));
  dirs.push(d);
  return path.join(d, 'data');
};

describe('the secret that signs links', () => {
  it('LINK_SECRET wins, on any database', async () => {
    const secret = 'e'.repeat(40);
    expect(await resolveLinkSecret(loadConfig({ LINK_SECRET: secret, DATA_DIR: await tempDir() }))).toEqual({ secret: Buffer.from(secret), source: 'env' });
    expect((await resolveLinkSecret(loadConfig({ LINK_SECRET: secret, DATABASE_URL: 'postgresql://db/kq' }))).source).toBe('env');
  });

  it('the embedded database makes one once, private, and keeps it across restarts', async () => {
    const dataDir = await tempDir();
    const first = await resolveLinkSecret(loadConfig({ DATA_DIR: dataDir }));
    expect(first.source).toBe('dataDir');
    expect(first.secret!.length).toBeGreaterThanOrEqual(32);
    const file = path.join(dataDir, SECRET_FILE);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const again = await resolveLinkSecret(loadConfig({ DATA_DIR: dataDir }));
    expect(again.secret!.equals(first.secret!)).toBe(true);
    expect((await readFile(file, 'utf8')).trim()).toBe(first.secret!.toString());
  });

  it('a file too short to be a secret is refused, not overwritten', async () => {
    const dataDir = await tempDir();
    await resolveLinkSecret(loadConfig({ DATA_DIR: dataDir }));
    await writeFile(path.join(dataDir, SECRET_FILE), 'short\n');
    await expect(resolveLinkSecret(loadConfig({ DATA_DIR: dataDir }))).rejects.toThrow(/no usable link secret/);
    expect(await readFile(path.join(dataDir, SECRET_FILE), 'utf8')).toBe('short\n');
  });

  it('PostgreSQL without LINK_SECRET: deep links off', async () => {
    expect(await resolveLinkSecret(loadConfig({ DATABASE_URL: 'postgresql://db/kq' }))).toEqual({ secret: null, source: null });
  });
});
