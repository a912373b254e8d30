/** Picks how an import reaches its database (./session.ts): COPY wherever the database allows it. */
import type { PGlite } from '@electric-sql/pglite';
import type { PGliteThread } from '../../db/pglite-thread/thread.ts';
import type { PrismaClient } from '../../generated/prisma/client.ts';
import { pgImportConnection } from './pg-session.ts';
import { pgliteImportConnection } from './pglite-session.ts';
import { prismaImportConnection } from './prisma-session.ts';
import type { ImportConnection } from './session.ts';
import { threadImportConnection } from './thread-session.ts';

/** A Database (src/db/client.ts) or what a test has of one; a bare client imports through Prisma. */
export type ImportTarget = PrismaClient | { prisma: PrismaClient; url?: string; pglite?: PGlite; thread?: PGliteThread };

export function openImportConnection(target: ImportTarget): Promise<ImportConnection> {
  if ('$transaction' in target) return Promise.resolve(prismaImportConnection(target));
  const t = target;
  if (t.url) return pgImportConnection(t.url);
  if (t.pglite) return Promise.resolve(pgliteImportConnection(t.pglite));
  if (t.thread) return Promise.resolve(threadImportConnection(t.thread));
  return Promise.resolve(prismaImportConnection(t.prisma));
}
