/**
 * Console sessions in the database (@fastify/session's store interface): every instance sees
 * every session, a restart signs nobody out, and an expired row is dead even before the sweep
 * removes it. The cookie carries only the signed id.
 */
import type { SessionStore } from '@fastify/session';
import type { Session } from 'fastify';
import type { Prisma } from '../generated/prisma/client.ts';
import type { Db } from '../services/db.ts';

export class DatabaseSessionStore implements SessionStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
    /** Where the cookie sets no expiry: the idle timeout. */
    private readonly idleMs: number,
  ) {}

  set(id: string, session: Session, callback: (err?: unknown) => void): void {
    const expires = session.cookie.expires ? new Date(session.cookie.expires) : new Date(this.now().getTime() + this.idleMs);
    const data = JSON.parse(JSON.stringify(session)) as Prisma.InputJsonValue;
    this.db.operatorSession
      .upsert({ where: { id }, create: { id, data, expiresAt: expires }, update: { data, expiresAt: expires } })
      .then(() => callback(), callback);
  }

  get(id: string, callback: (err: unknown, result?: Session | null) => void): void {
    this.db.operatorSession
      .findUnique({ where: { id } })
      // Reason: the column holds what `set` wrote (the plugin's own session object, as JSON); only this store writes it.
      .then(
        (row) => callback(null, row && row.expiresAt > this.now() ? (row.data as unknown as Session) : null),
        (err: unknown) => callback(err),
      );
  }

  destroy(id: string, callback: (err?: unknown) => void): void {
    this.db.operatorSession.deleteMany({ where: { id } }).then(() => callback(), callback);
  }

  /** Removes expired sessions (the scheduler's hourly sweep). */
  async sweep(): Promise<number> {
    const { count } = await this.db.operatorSession.deleteMany({ where: { expiresAt: { lt: this.now() } } });
    return count;
  }
}
