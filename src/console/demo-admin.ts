/**
 * The embedded demo database's first admin: made at the first start when there is no account,
 * with a random password the process prints once. Never on PostgreSQL, where accounts are made
 * with `npm run ops -- user add NAME --role admin`.
 */
import type { Db } from '../services/db.ts';
import { CLI_ACTOR } from './audit.ts';
import { createUser } from './auth/users.ts';

export const DEMO_ADMIN = 'admin';

export async function ensureDemoAdmin(db: Db): Promise<{ username: string; password: string } | null> {
  if ((await db.operatorUser.count()) > 0) return null;
  const { user, password } = await createUser(db, { ...CLI_ACTOR, username: 'demo-setup' }, { username: DEMO_ADMIN, role: 'ADMIN' });
  return { username: user.username, password };
}
