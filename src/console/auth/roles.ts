/**
 * Who may do what in the console. `admin` everything; `operator` runs the campaign (imports,
 * seasons, purge, support actions) and sees personal data; `viewer` reads the dashboard, the
 * statistics, the support view and the inbox with personal data masked. Operators and admins
 * answer parents; admins keep the canned replies.
 */
import type { OperatorRole } from '../../generated/prisma/enums.ts';

export type Role = OperatorRole;
export const ROLES: Role[] = ['ADMIN', 'OPERATOR', 'VIEWER'];

export type Permission =
  | 'dashboard'
  | 'stats'
  | 'parents'
  | 'personalData'
  | 'seasons.change'
  | 'imports'
  | 'purge'
  | 'support.act'
  /** Reading the parents' conversations with the department (everyone; personal data masked by role). */
  | 'inbox'
  /** Keeping the canned replies (admins). */
  | 'canned'
  | 'audit'
  | 'users';

const GRANTS: Record<Role, ReadonlySet<Permission>> = {
  ADMIN: new Set<Permission>([
    'dashboard',
    'stats',
    'parents',
    'personalData',
    'seasons.change',
    'imports',
    'purge',
    'support.act',
    'inbox',
    'canned',
    'audit',
    'users',
  ]),
  OPERATOR: new Set<Permission>(['dashboard', 'stats', 'parents', 'personalData', 'seasons.change', 'imports', 'purge', 'support.act', 'inbox', 'audit']),
  VIEWER: new Set<Permission>(['dashboard', 'stats', 'parents', 'inbox']),
};

export function can(role: Role, permission: Permission): boolean {
  return GRANTS[role].has(permission);
}

export function parseRole(value: string): Role | null {
  const upper = value.trim().toUpperCase();
  return (ROLES as string[]).includes(upper) ? (upper as Role) : null;
}
