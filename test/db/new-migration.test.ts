import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createMigration, migrationSlug, migrationTimestamp, unmigratedSchemaChanges } from '../../src/db/migrations/new-migration.ts';
import { DEFAULT_SCHEMA_PATH, PROJECT_ROOT } from '../../src/db/migrations/paths.ts';
import { copyOfMigrations, tempDir, removeTempDirs } from './support.ts';

afterAll(removeTempDirs);

const PROBE_MODEL = `
model Probe {
  id    Int    @id @default(autoincrement())
  label String @unique

  @@map("probes")
}
`;

async function schemaWithProbe(): Promise<string> {
  const file = path.join(await tempDir('schema'), 'schema.prisma');
  await fs.writeFile(file, (await fs.readFile(DEFAULT_SCHEMA_PATH, 'utf8')) + PROBE_MODEL);
  return file;
}

async function dirs(migrationsDir: string): Promise<string[]> {
  return (await fs.readdir(migrationsDir, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

describe('new migration', () => {
  it('finds nothing to add: the committed migrations build exactly prisma/schema.prisma', async () => {
    expect(await unmigratedSchemaChanges()).toBeNull();
  });

  it('writes the CREATE TABLE for an added model, then reports no changes', async () => {
    const migrationsDir = await copyOfMigrations();
    const schemaPath = await schemaWithProbe();
    const before = await dirs(migrationsDir);

    const created = await createMigration('Add probe!', { schemaPath, migrationsDir, now: new Date('2999-01-02T03:04:05Z') });
    expect(created?.name).toBe('29990102030405_add_probe');
    const sql = await fs.readFile(path.join(migrationsDir, '29990102030405_add_probe', 'migration.sql'), 'utf8');
    expect(sql).toBe(created?.sql);
    expect(sql).toContain('CREATE TABLE "probes"');
    expect(sql).toContain('CREATE UNIQUE INDEX "probes_label_key"');
    // Incremental: nothing the earlier migrations already create.
    expect(sql).not.toContain('"kindergartens"');
    expect(await dirs(migrationsDir)).toEqual([...before, '29990102030405_add_probe']);

    expect(await createMigration('again', { schemaPath, migrationsDir })).toBeNull();
    expect(await dirs(migrationsDir)).toEqual([...before, '29990102030405_add_probe']);
  });

  it('starts a history from nothing, with migration_lock.toml', async () => {
    const migrationsDir = path.join(await tempDir('empty'), 'migrations');
    const created = await createMigration('init', { migrationsDir, now: new Date('2024-05-06T07:08:09Z') });
    expect(created?.name).toBe('20240506070809_init');
    expect(created?.sql).toContain('CREATE TABLE "kindergartens"');
    expect(await fs.readFile(path.join(migrationsDir, 'migration_lock.toml'), 'utf8')).toContain('provider = "postgresql"');
    expect(await unmigratedSchemaChanges({ migrationsDir })).toBeNull();
  });

  it('names a migration after every committed one even when the clock is behind', async () => {
    const migrationsDir = await copyOfMigrations();
    const created = await createMigration('probe', { schemaPath: await schemaWithProbe(), migrationsDir, now: new Date('2000-01-01T00:00:00Z') });
    const names = await dirs(migrationsDir);
    expect(names.at(-1)).toBe(created?.name);
  });

  it('refuses a broken history instead of diffing against half of it', async () => {
    const migrationsDir = await copyOfMigrations();
    await fs.mkdir(path.join(migrationsDir, '29991231000000_broken'));
    await fs.writeFile(path.join(migrationsDir, '29991231000000_broken', 'migration.sql'), 'ALTER TABLE "nope" ADD COLUMN "x" INTEGER;');
    await expect(createMigration('probe', { schemaPath: await schemaWithProbe(), migrationsDir })).rejects.toThrow(
      /do not replay cleanly.*29991231000000_broken/s,
    );
  });

  it('turns names into portable directory names', () => {
    expect(migrationSlug(' Add parent e-mail ')).toBe('add_parent_e_mail');
    expect(() => migrationSlug('!!!')).toThrow(/not usable/);
    expect(migrationTimestamp(new Date('2026-09-01T23:59:58.999Z'))).toBe('20260901235958');
  });
});

describe('migrations CLI', () => {
  function cli(args: string[], env: Record<string, string>) {
    const { DATABASE_URL: _omit, ...rest } = process.env;
    return spawnSync(process.execPath, ['--import', 'tsx', 'src/db/migrations/cli.ts', ...args], {
      cwd: PROJECT_ROOT,
      env: { ...rest, ...env },
      encoding: 'utf8',
      timeout: 30_000,
    });
  }

  it('deploys to the embedded database in DATA_DIR, reports it up to date, and exits by itself', async () => {
    const dataDir = await tempDir('cli');
    const deploy = cli(['deploy'], { DATA_DIR: dataDir });
    expect(deploy.stderr).toBe('');
    expect(deploy.status).toBe(0);
    expect(deploy.stdout).toMatch(/Applied 1 migration\(s\)|Applied \d+ migration\(s\)/);

    const status = cli(['status'], { DATA_DIR: dataDir });
    expect(status.status).toBe(0);
    expect(status.stdout).toContain('Database schema is up to date.');

    const none = cli(['new', 'nothing'], { DATA_DIR: dataDir });
    expect(none.status).toBe(0);
    expect(none.stdout).toMatch(/^No changes/);
  }, 60_000);
});
