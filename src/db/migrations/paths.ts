import path from 'node:path';

/** Where the committed schema and migration history live, independent of the working directory. */
export const PROJECT_ROOT = path.resolve(import.meta.dirname, '../../..');
export const DEFAULT_SCHEMA_PATH = path.join(PROJECT_ROOT, 'prisma', 'schema.prisma');
export const DEFAULT_MIGRATIONS_DIR = path.join(PROJECT_ROOT, 'prisma', 'migrations');
