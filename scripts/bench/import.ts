/**
 * `npm run bench:import`: generates a region-size registry (1 000 kindergartens, the parents and
 * 1 000 000 applications; BENCH_ROWS to change) as CSV in a temp folder and imports it into a
 * throwaway PostgreSQL database through `runImport`, all or nothing. Prints rows/s; not a test.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { makeIin } from '../../src/domain/iin.ts';
import { IMPORT_KINDS } from '../../src/import/kinds/index.ts';
import type { ImportKindName } from '../../src/import/kind.ts';
import { runImport } from '../../src/import/run-import.ts';
import { progress } from '../../src/ops/progress.ts';
import { createTestDatabase } from '../../test/helpers/db.ts';

const ROWS = Number(process.env['BENCH_ROWS'] ?? 1_000_000);
const KINDERGARTENS = 1_000;
const PARENTS = Math.ceil(ROWS * 0.7);
const DAY = 86_400_000;

async function writeLines(file: string, header: string, count: number, line: (i: number) => string): Promise<void> {
  const out = createWriteStream(file);
  out.write(`${header}\n`);
  let chunk = '';
  for (let i = 0; i < count; i++) {
    chunk += `${line(i)}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

/** Distinct valid IINs: a birth day per index modulo the span, an even serial per lap (see makeIin). */
function iin(base: string, spanDays: number, i: number): string {
  const day = new Date(Date.parse(base) + (i % spanDays) * DAY);
  return makeIin(day, i % 2 ? 'F' : 'M', 2 * Math.floor(i / spanDays));
}
const parentIin = (i: number) => iin('1980-01-01', 7_300, i);
const childIin = (i: number) => iin('2019-01-01', 1_825, i);
const ddmmyyyy = (d: Date) => `${String(d.getUTCDate()).padStart(2, '0')}.${String(d.getUTCMonth() + 1).padStart(2, '0')}.${d.getUTCFullYear()}`;

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kq-bench-import-'));
  const files = { kindergartens: path.join(dir, 'kindergartens.csv'), parents: path.join(dir, 'parents.csv'), applications: path.join(dir, 'applications.csv') };
  const t0 = performance.now();
  await writeLines(files.kindergartens, 'number;name_kk;name_ru;address_kk;address_ru;ownership;languages;capacity;district;latitude;longitude', KINDERGARTENS, (i) =>
    [i + 1, `№${i + 1} балабақша`, `Детский сад №${i + 1}`, `Абай даңғылы, ${i}`, `проспект Абая, ${i}`, i % 7 ? 'гос' : 'частный', '"KK, RU"', 50 + (i % 200), `Район ${i % 12}`, '43,2', '76,9'].join(';'),
  );
  await writeLines(files.parents, 'iin;full_name;phone;locale', PARENTS, (i) => `${parentIin(i)};Ата-ана ${i};+7701${String(i).padStart(7, '0')};${i % 2 ? 'kk' : 'ru'}`);
  await writeLines(files.applications, 'queue_number;parent_iin;child_iin;child_full_name;category;registered_at;status;valid_until;choices', ROWS, (i) => {
    const reg = new Date(Date.UTC(2021, 0, 1) + (i % 1_000) * DAY);
    const k = (i * 7919) % KINDERGARTENS;
    return [100_000 + i, parentIin(i % PARENTS), childIin(i), `Бала ${i}`, 'общая', ddmmyyyy(reg), 'активна', '2025-10-01', `"${k + 1}, ${((k + 13) % KINDERGARTENS) + 1}, ${((k + 29) % KINDERGARTENS) + 1}"`].join(';');
  });
  const mb = (await stat(files.applications)).size / 1e6;
  console.log(`generated ${ROWS} applications (${mb.toFixed(0)} MB), ${PARENTS} parents, ${KINDERGARTENS} kindergartens in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const db = await createTestDatabase('postgres');
  try {
    for (const kind of ['kindergartens', 'parents', 'applications'] as ImportKindName[]) {
      const bar = progress(`import ${kind}`);
      const started = performance.now();
      const r = await runImport(db.prisma, IMPORT_KINDS[kind], { file: files[kind], reportFile: null, onProgress: bar.update });
      bar.done();
      const s = (performance.now() - started) / 1000;
      if (!r.committed || r.rejectedCount > 0) throw new Error(`${kind}: ${r.rejectedCount} rejected, e.g. ${JSON.stringify(r.rejections[0])}`);
      console.log(`${kind.padEnd(14)} ${String(r.written).padStart(9)} rows in ${s.toFixed(1).padStart(6)} s = ${Math.round(r.written / s)} rows/s`);
    }
    const [counts] = await db.prisma.$queryRaw<{ a: number; c: number; ch: number }[]>`
      SELECT (SELECT count(*) FROM applications)::int AS a, (SELECT count(*) FROM application_choices)::int AS c, (SELECT count(*) FROM children)::int AS ch`;
    console.log(`in the database: ${counts!.a} applications, ${counts!.c} choices, ${counts!.ch} children`);
  } finally {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
