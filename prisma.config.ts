import path from 'node:path';
import { defineConfig } from 'prisma/config';

// The CLI checks for a native schema engine before it reads anything else; point it at our stub
// so `prisma generate` works offline. Migrations go through src/db/migrations (WASM engine).
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.join(import.meta.dirname, 'prisma/bin/schema-engine-stub.cjs');

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
