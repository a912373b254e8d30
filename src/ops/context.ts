/** What every command gets: output streams, the clock, and the database opened on demand. */
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { Database } from '../db/client.ts';
import type { ReachSettings } from '../config/env.ts';
import type { ProgressStream } from './progress.ts';

export interface OpsContext {
  stdout: { write(chunk: string): unknown };
  stderr: ProgressStream;
  now(): Date;
  /** Opens the configured database (migrated); the caller closes it. */
  openDatabase(): Promise<Pick<Database, 'prisma' | 'close' | 'url' | 'pglite'>>;
  translatorOptions: { portal: string; supportPhone: string };
  /** The configured routes beyond linked chats (campaign coverage); absent: coverage not shown. */
  reach?: () => ReachSettings;
  /** The whole of standard input (a password piped to `user add --password-stdin`). */
  readStdin?: () => Promise<string>;
  /** SMS, when configured: what the campaign status needs to size the SMS plan. */
  sms?: () => { publicUrl: string; dailyBudget: number } | null;
}

/** A wrong invocation: the message plus where to read more. Exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
  constructor(
    message: string,
    readonly helpOf: string,
  ) {
    super(message);
  }
}

export async function withDatabase<T>(ctx: OpsContext, fn: (prisma: PrismaClient, db: Pick<Database, 'prisma' | 'url' | 'pglite'>) => Promise<T>): Promise<T> {
  const db = await ctx.openDatabase();
  try {
    return await fn(db.prisma, db);
  } finally {
    await db.close();
  }
}

export const println = (ctx: OpsContext, line = '') => ctx.stdout.write(`${line}\n`);

/** A plain text table: columns padded, numbers right-aligned. */
export function textTable(rows: (string | number)[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => String(r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => (typeof c === 'number' ? String(c).padStart(widths[i]!) : String(c).padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
