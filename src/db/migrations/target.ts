import type { DatabaseTarget } from '../client.ts';
import { openEmbeddedPGlite, openMemoryPGlite } from '../pglite.ts';
import { type EngineConnection, pgliteEngineConnection, postgresEngineConnection } from './engine-connections.ts';

/** Opens an engine connection to a database target for one command, and closes it afterwards. */
export async function withEngineConnection<T>(target: DatabaseTarget, use: (conn: EngineConnection) => Promise<T>): Promise<T> {
  if (target.kind === 'postgres') {
    const conn = postgresEngineConnection(target.url);
    try {
      return await use(conn);
    } finally {
      await conn.close();
    }
  }
  const opened = target.kind === 'embedded' ? await openEmbeddedPGlite(target.dataDir) : await openMemoryPGlite();
  try {
    return await use(pgliteEngineConnection(opened.pglite));
  } finally {
    await opened.close();
  }
}

/** For messages: never prints credentials. */
export function describeTarget(target: DatabaseTarget): string {
  switch (target.kind) {
    case 'embedded':
      return `the embedded database in ${target.dataDir.replace(/\/+$/, '')}/`;
    case 'memory':
      return 'an in-memory database';
    case 'postgres': {
      try {
        const u = new URL(target.url);
        return `PostgreSQL at ${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
      } catch {
        return 'PostgreSQL (DATABASE_URL)';
      }
    }
  }
}
