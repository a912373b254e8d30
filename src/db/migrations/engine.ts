import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import type { SchemaEngine } from '@prisma/schema-engine-wasm';

/**
 * Prisma's schema engine compiled to WebAssembly, loaded by hand: the package's own entry imports
 * the .wasm file as an ES module, which Node does not support without a flag.
 *
 * The engine API is internal to Prisma, so the build is pinned to the one the Prisma CLI 7.10.0
 * was released with; anything else fails loudly instead of migrating in a subtly different way.
 */
export const PINNED_ENGINE_HASH = '0edf323efd1d98336f3f0a68684b56f689b900d3';

type Bindings = typeof import('@prisma/schema-engine-wasm/schema_engine_bg');

// The project's lib settings carry no WebAssembly declarations; this is the part used here.
interface WasmApi {
  compile(bytes: Uint8Array): Promise<object>;
  instantiate(module: object, imports: Record<string, Record<string, unknown>>): Promise<{ exports: unknown }>;
}
// Reason: the project compiles without the DOM library, where TypeScript declares WebAssembly; Node has it at run time.
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export class SchemaEngineVersionError extends Error {
  constructor(readonly installed: string) {
    super(
      `@prisma/schema-engine-wasm ${installed} is installed, but this project is pinned to the engine of ` +
        `Prisma CLI 7.10.0 (${PINNED_ENGINE_HASH}). Install @prisma/schema-engine-wasm@7.10.0-4.${PINNED_ENGINE_HASH}, ` +
        'or update PINNED_ENGINE_HASH after checking the migration tests pass with the new engine.',
    );
    this.name = 'SchemaEngineVersionError';
  }
}

let loaded: Promise<Bindings> | undefined;

/** One WebAssembly instance per process; every SchemaEngine object lives in it. */
function loadBindings(): Promise<Bindings> {
  loaded ??= instantiate().catch((e: unknown) => {
    loaded = undefined;
    throw e;
  });
  return loaded;
}

async function instantiate(): Promise<Bindings> {
  const require = createRequire(import.meta.url);
  const wasmPath = path.join(path.dirname(require.resolve('@prisma/schema-engine-wasm')), 'schema_engine_bg.wasm');
  const bindings = await import('@prisma/schema-engine-wasm/schema_engine_bg');
  const module = await wasmApi.compile(await fs.readFile(wasmPath));
  const imports: Record<string, unknown> = { ...bindings };
  // The engine races its advisory-lock query against a timer and never clears it; an unref'd timer
  // no longer keeps a finished script alive for ~10 s.
  for (const name of Object.keys(imports)) {
    if (name.startsWith('__wbg_setTimeout_')) {
      imports[name] = (callback: () => void, ms: number) => setTimeout(callback, ms >>> 0).unref();
    }
  }
  const instance = await wasmApi.instantiate(module, { './schema_engine_bg.js': imports });
  const exports = instance.exports as { __wbindgen_start(): void };
  bindings.__wbg_set_wasm(exports);
  exports.__wbindgen_start();
  const installed = bindings.version();
  if (installed !== PINNED_ENGINE_HASH) throw new SchemaEngineVersionError(installed);
  return bindings;
}

/** The engine's build hash, after checking it is the pinned one. */
export async function schemaEngineVersion(): Promise<string> {
  return (await loadBindings()).version();
}

export interface EngineLogLine {
  level: string;
  message: string;
  fields: Record<string, unknown>;
}

export interface EngineOptions {
  /** Prisma schema files the engine should know (needed for diffs against the schema). */
  schemaFiles?: { path: string; content: string }[];
  onLog?: (line: EngineLogLine) => void;
}

/** Runs `use` with a fresh engine bound to the adapter factory, and frees the engine afterwards. */
export async function withSchemaEngine<T>(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  use: (engine: SchemaEngine) => Promise<T>,
  options: EngineOptions = {},
): Promise<T> {
  const bindings = await loadBindings();
  const datamodels = options.schemaFiles?.map((f): [string, string] => [f.path, f.content]);
  const onLog = options.onLog;
  const engine: SchemaEngine = await bindings.SchemaEngine.new(
    { datamodels },
    (raw: string) => onLog?.(parseLogLine(raw)),
    bindMigrationAwareSqlAdapterFactory(adapterFactory),
  );
  try {
    return await use(engine);
  } finally {
    engine.free();
  }
}

function parseLogLine(raw: string): EngineLogLine {
  try {
    const parsed = JSON.parse(raw) as { level?: string; fields?: Record<string, unknown> };
    const fields = parsed.fields ?? {};
    return { level: parsed.level ?? 'INFO', message: String(fields['message'] ?? ''), fields };
  } catch {
    return { level: 'INFO', message: raw.trim(), fields: {} };
  }
}

/**
 * The engine rejects with an Error (or a plain value) whose message ends in a Rust span trace;
 * keep the human part, name the migration the trace points at, and keep the original as cause.
 */
export function engineError(e: unknown): Error {
  const raw = e instanceof Error ? e.message : typeof e === 'string' ? e : JSON.stringify(e);
  const lines = raw.split('\n');
  const traceStart = lines.findIndex((l) => /^\s+0: /.test(l));
  const migration = /migration_name="([^"]+)"/.exec(raw)?.[1];
  const human = (traceStart >= 0 ? lines.slice(0, traceStart) : lines)
    .filter((l) => l.trim() !== 'external connector error')
    .join('\n')
    .trim();
  const message = migration && !human.includes(migration) ? `migration \`${migration}\`: ${human}` : human;
  return new Error(message || raw, { cause: e });
}
