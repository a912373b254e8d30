#!/usr/bin/env node
// Prisma's CLI insists that a native schema engine exists before it generates the client, and
// would download one otherwise; this machine has no internet. Migrations run through the WASM
// schema engine instead (src/db/migrations), so this stub only has to exist and explain itself.
if (process.argv.includes('--version')) {
  console.log('schema-engine-stub 7.10.0 (the project migrates with @prisma/schema-engine-wasm)');
  process.exit(0);
}
console.error(
  'This project does not use the native Prisma schema engine.\n' +
    'Use the npm scripts instead: npm run db:migrate, npm run db:status, npm run db:migration:new -- NAME',
);
process.exit(1);
