/**
 * An import through a bare Prisma client, whose database is not known (a console set up without
 * its Database): the same statements, the staging rows sent as arrays of text unnested into
 * multi-row INSERTs.
 */
import type { PrismaClient } from '../../generated/prisma/client.ts';
import type { Db } from '../../services/db.ts';
import { parseCopyLines } from './copy-text.ts';
import type { ImportConnection, ImportSession } from './session.ts';

/** A region's import runs for minutes inside one transaction. */
const TRANSACTION = { maxWait: 60_000, timeout: 6 * 3_600_000 } as const;

function session(tx: Db): ImportSession {
  return {
    query: <T>(sql: string, params: unknown[] = []) => tx.$queryRawUnsafe<T[]>(sql, ...params),
    async copyIn(table, columns, chunks) {
      // The staging table's own column types do the casts, as COPY would.
      const types = await tx.$queryRawUnsafe<{ name: string; type: string }[]>(
        `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a
         WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped`,
        table,
      );
      const typeOf = new Map(types.map((t) => [t.name, t.type]));
      const cols = columns.map((_c, i) => `(${`$${i + 1}`}::text[])`);
      const select = columns.map((c, i) => `u.c${i}::${typeOf.get(c.replace(/"/g, '')) ?? 'text'}`).join(', ');
      const sql = `INSERT INTO ${table} (${columns.join(', ')}) SELECT ${select} FROM unnest(${cols.join(', ')}) AS u(${columns.map((_, i) => `c${i}`).join(', ')})`;
      const utf8 = new TextDecoder();
      for await (const chunk of chunks) {
        const rows = parseCopyLines(utf8.decode(chunk));
        if (rows.length === 0) continue;
        await tx.$executeRawUnsafe(sql, ...columns.map((_, i) => rows.map((r) => r[i] ?? null)));
      }
    },
  };
}

export function prismaImportConnection(prisma: PrismaClient): ImportConnection {
  return {
    method: 'insert',
    transaction: (fn) => prisma.$transaction((tx) => fn(session(tx)), TRANSACTION),
    close: async () => undefined,
  };
}
