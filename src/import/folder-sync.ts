/**
 * The scheduled registry sync (docs/registry-sync.md): the registry's nightly export dropped in
 * REGISTRY_IMPORT_DIR is imported by one instance (a lease, as with the planner), each file all or
 * nothing, in the order kindergartens → parents → applications, and moved to done/ or failed/
 * (with its rejection report, or the reason the file was refused).
 *
 * A file is taken only when complete: the exporter writes `X.csv`, then creates an empty
 * `X.csv.ready` next to it. A size that stops changing proves nothing about a writer that paused;
 * the marker is written after the last byte, so a file still being written is never read.
 */
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { Db } from '../services/db.ts';
import { acquireLease, releaseLease } from '../campaign/leases.ts';
import { EncodingError } from './encoding.ts';
import type { ImportKindName, RegistryReach } from './kind.ts';
import { IMPORT_KINDS } from './kinds/index.ts';
import { ImportFileError, runImport, type ImportResult } from './run-import.ts';
import type { ImportTarget } from './staging/connect.ts';

export const REGISTRY_SYNC_LEASE = 'registry-sync';
export const READY_SUFFIX = '.ready';
const ORDER: readonly ImportKindName[] = ['kindergartens', 'parents', 'applications'];
/** The lease is renewed while an import runs; a crashed holder's lapses after this. */
const LEASE_TTL_MS = 5 * 60_000;
const RENEW_MS = 60_000;

export interface FolderSyncDeps {
  dir: string;
  target: ImportTarget;
  db: Db;
  clock: Clock;
  logger: Logger;
  instanceId: string;
  reach?: RegistryReach;
}

export interface SyncedFile {
  file: string;
  kind: ImportKindName | null;
  outcome: 'done' | 'failed';
  result: ImportResult | null;
  /** Why a file was refused as a whole (encoding, header, an unknown kind of file). */
  problem: string | null;
}

/** Which registry file a name is: it starts with the kind ("applications-2026-12-04.csv"). */
export function kindOfFile(name: string): ImportKindName | null {
  const lower = name.toLowerCase();
  return ORDER.find((k) => lower.startsWith(k)) ?? null;
}

/** The complete CSV files waiting, in import order (by kind, then by name). */
export async function readyFiles(dir: string): Promise<string[]> {
  const names = new Set(await readdir(dir).catch(() => [] as string[]));
  const ready = [...names].filter((n) => n.toLowerCase().endsWith('.csv') && names.has(n + READY_SUFFIX));
  const rank = (n: string) => {
    const k = kindOfFile(n);
    return k === null ? ORDER.length : ORDER.indexOf(k);
  };
  return ready.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** One tick: imports every complete file, if this instance takes the lease. Null: another instance holds it. */
export async function registryFolderTick(deps: FolderSyncDeps): Promise<SyncedFile[] | null> {
  const files = await readyFiles(deps.dir);
  if (files.length === 0) return [];
  if (!(await acquireLease(deps.db, REGISTRY_SYNC_LEASE, deps.instanceId, LEASE_TTL_MS, deps.clock.now()))) return null;
  const renew = setInterval(() => {
    acquireLease(deps.db, REGISTRY_SYNC_LEASE, deps.instanceId, LEASE_TTL_MS, deps.clock.now()).catch((err: unknown) =>
      deps.logger.error({ err }, 'registry sync: the lease could not be renewed'),
    );
  }, RENEW_MS);
  const synced: SyncedFile[] = [];
  try {
    // Listed again under the lease: another instance may have taken some meanwhile.
    for (const name of await readyFiles(deps.dir)) synced.push(await syncOne(deps, name));
  } finally {
    clearInterval(renew);
    await releaseLease(deps.db, REGISTRY_SYNC_LEASE, deps.instanceId);
  }
  return synced;
}

async function syncOne(deps: FolderSyncDeps, name: string): Promise<SyncedFile> {
  const { dir, logger } = deps;
  const kind = kindOfFile(name);
  const stamp = deps.clock.now().toISOString().replace(/[:.]/g, '-');
  const input = path.join(dir, name);
  const failedDir = path.join(dir, 'failed');
  await mkdir(failedDir, { recursive: true });
  const report = path.join(failedDir, `${stamp}_${path.basename(name, '.csv')}.rejected.csv`);
  let result: ImportResult | null = null;
  let problem: string | null = null;
  if (kind === null) {
    problem = `Неизвестный файл: имя должно начинаться с kindergartens, parents или applications / Unknown file: the name must start with kindergartens, parents or applications`;
  } else {
    try {
      result = await runImport(deps.target, IMPORT_KINDS[kind], { file: input, reportFile: report, ...(deps.reach ? { reach: deps.reach } : {}) });
    } catch (e) {
      if (!(e instanceof ImportFileError || e instanceof EncodingError)) throw e;
      problem = e.message;
    }
  }
  const outcome = result?.committed ? 'done' : 'failed';
  const target = path.join(dir, outcome, `${stamp}_${name}`);
  await mkdir(path.dirname(target), { recursive: true });
  await rename(input, target);
  await rm(input + READY_SUFFIX, { force: true });
  if (outcome === 'done' || result === null) await rm(report, { force: true });
  if (problem) await writeFile(path.join(failedDir, `${stamp}_${name}.error.txt`), `${problem}\n`);
  const summary = {
    file: name,
    kind,
    outcome,
    rows: result?.rows ?? 0,
    rejected: result?.rejectedCount ?? 0,
    events: result?.events ?? 0,
    notices: result?.notices ?? 0,
  };
  if (outcome === 'done') logger.info(summary, 'registry sync: file imported');
  else logger.warn({ ...summary, problem }, 'registry sync: file refused; see failed/');
  return { file: name, kind, outcome, result, problem };
}
