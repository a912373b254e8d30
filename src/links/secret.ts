/**
 * The secret that signs deep links. Production names it (`LINK_SECRET`). The embedded demo
 * database makes one at its first start and keeps it beside the database in DATA_DIR, so links
 * sent before a restart still work after it; on PostgreSQL without LINK_SECRET deep links are
 * off, because instances that each made their own would refuse one another's links.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config/env.ts';

export const SECRET_FILE = 'link-secret';

export type LinkSecret = { secret: Buffer; source: 'env' | 'dataDir' } | { secret: null; source: null };

export async function resolveLinkSecret(config: Pick<Config, 'links' | 'database'>): Promise<LinkSecret> {
  if (config.links.secret) return { secret: Buffer.from(config.links.secret, 'utf8'), source: 'env' };
  if (config.database.kind !== 'embedded') return { secret: null, source: null };
  return { secret: await dataDirSecret(config.database.dataDir), source: 'dataDir' };
}

/** Read, or made once (`wx`: an existing secret is never overwritten, whatever happens in between). */
async function dataDirSecret(dataDir: string): Promise<Buffer> {
  const file = path.resolve(dataDir, SECRET_FILE);
  const existing = await readSecret(file);
  if (existing) return existing;
  await mkdir(path.dirname(file), { recursive: true });
  try {
    await writeFile(file, `${randomBytes(32).toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const made = await readSecret(file);
  if (!made) throw new Error(`${file} holds no usable link secret (at least 32 characters); delete it to make a new one`);
  return made;
}

async function readSecret(file: string): Promise<Buffer | null> {
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  const secret = text?.trim() ?? '';
  return secret.length >= 32 ? Buffer.from(secret, 'utf8') : null;
}
