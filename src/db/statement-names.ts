/**
 * Names for PostgreSQL prepared statements, one per SQL text, for @prisma/adapter-pg's
 * `statementNameGenerator`: node-postgres then parses each statement once per connection and later
 * runs only bind and execute, so the server does not parse and plan the same few statements on
 * every update. Statements kept by a connection are not evicted (node-postgres keeps them until the
 * connection closes), so past `capacity` distinct texts — ad-hoc SQL, not the product's — new texts
 * run unnamed, as without the generator.
 */
import type { SqlQuery } from '@prisma/driver-adapter-utils';

export function statementNames(capacity = 512): (query: SqlQuery) => string {
  const names = new Map<string, string>();
  return ({ sql }) => {
    let name = names.get(sql);
    if (name === undefined && names.size < capacity) {
      name = `kq_${names.size + 1}`;
      names.set(sql, name);
    }
    // An empty name is node-postgres's unnamed statement.
    return name ?? '';
  };
}
