/**
 * The audit log: every operator action (console or `ops`), who, what, when, on which object,
 * before → after. Append-only — the database refuses UPDATE and DELETE on it (migration
 * 20261204181851_console) and the console has no page that would try.
 */
import type { Prisma } from '../generated/prisma/client.ts';
import type { Db } from '../services/db.ts';

export interface Actor {
  userId: number | null;
  username: string;
  ip?: string | null;
}

/** The command line's actor: whoever has a shell on the server. */
export const CLI_ACTOR: Actor = { userId: null, username: 'cli' };

export interface AuditRecord {
  action: string;
  objectType?: string;
  objectId?: string | number;
  before?: unknown;
  after?: unknown;
}

type Writer = Pick<Db, 'auditEntry'>;

export async function audit(db: Writer, actor: Actor, r: AuditRecord, at?: Date): Promise<void> {
  await db.auditEntry.create({
    data: {
      ...(at ? { at } : {}),
      userId: actor.userId,
      username: actor.username,
      ip: actor.ip ?? null,
      action: r.action,
      objectType: r.objectType ?? null,
      objectId: r.objectId === undefined ? null : String(r.objectId),
      before: json(r.before),
      after: json(r.after),
    },
  });
}

function json(v: unknown): Prisma.InputJsonValue | undefined {
  return v === undefined || v === null ? undefined : (JSON.parse(JSON.stringify(v)) as Prisma.InputJsonValue);
}
