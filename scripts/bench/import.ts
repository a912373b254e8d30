/**
 * `npm run bench:import`: generates a region-size registry (1 000 kindergartens, the parents and
 * 1 000 000 applications with 3 choices each; BENCH_ROWS to change) as CSV in a temp folder and
 * imports it into a throwaway PostgreSQL database through `runImport`, all or nothing (BENCH_DB=embedded:
 * the embedded database on its own thread, in memory, as the service runs it); then
 * imports the same applications file again (no change, no event), then a file in which
 * BENCH_CHANGED (10 000) applications got a referral, their parents each linked to a Telegram and
 * a WhatsApp chat: as many events, twice as many outbox rows. Prints seconds, rows/s and the
 * process's peak RSS; not a test.
 *
 * BENCH_FLOOR=1 then weighs what no import can go below on this machine: the imported children,
 * applications and choices written back by PostgreSQL's own server-side COPY (no parsing, no
 * validation, no merge) into an empty registry, with the same index and foreign-key rebuild as the
 * bulk merge (src/import/bulk-load.ts). Needs a role allowed to read and write server files.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { makeIin } from '../../src/domain/iin.ts';
import { IMPORT_KINDS } from '../../src/import/kinds/index.ts';
import type { ImportKindName } from '../../src/import/kind.ts';
import { runImport } from '../../src/import/run-import.ts';
import { inBulk } from '../../src/import/bulk-load.ts';
import { pgImportConnection } from '../../src/import/staging/pg-session.ts';
import { progress } from '../../src/ops/progress.ts';
import { createTestDatabase } from '../../test-support/db.ts';

const ROWS = Number(process.env['BENCH_ROWS'] ?? 1_000_000);
const DB = process.env['BENCH_DB'] === 'embedded' ? 'embedded' : 'postgres';
const CHANGED = Math.min(ROWS, Number(process.env['BENCH_CHANGED'] ?? 10_000));
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

const filesIn = (dir: string) => ({
  kindergartens: path.join(dir, 'kindergartens.csv'),
  parents: path.join(dir, 'parents.csv'),
  applications: path.join(dir, 'applications.csv'),
  changed: path.join(dir, 'applications-changed.csv'),
});
/** Every STEP-th application gets a referral in the changed file. */
const STEP = Math.floor(ROWS / CHANGED);

/** Writes the files (in a process of its own, so that the import's peak RSS is the import's). */
async function generate(dir: string): Promise<void> {
  const files = filesIn(dir);
  const t0 = performance.now();
  await writeLines(
    files.kindergartens,
    'number;name_kk;name_ru;address_kk;address_ru;ownership;languages;capacity;district;latitude;longitude',
    KINDERGARTENS,
    (i) =>
      [
        i + 1,
        `№${i + 1} балабақша`,
        `Детский сад №${i + 1}`,
        `Абай даңғылы, ${i}`,
        `проспект Абая, ${i}`,
        i % 7 ? 'гос' : 'частный',
        '"KK, RU"',
        50 + (i % 200),
        `Район ${i % 12}`,
        '43,2',
        '76,9',
      ].join(';'),
  );
  await writeLines(
    files.parents,
    'iin;full_name;phone;locale',
    PARENTS,
    (i) => `${parentIin(i)};Ата-ана ${i};+7701${String(i).padStart(7, '0')};${i % 2 ? 'kk' : 'ru'}`,
  );
  const applicationLine = (referred: boolean) => (i: number) => {
    const reg = new Date(Date.UTC(2021, 0, 1) + (i % 1_000) * DAY);
    const k = (i * 7919) % KINDERGARTENS;
    const status = referred ? ['направлено', String(((k + 101) % KINDERGARTENS) + 1), 'Балапан', '20.08.2025'] : ['активна', '', '', ''];
    return [
      100_000 + i,
      parentIin(i % PARENTS),
      childIin(i),
      `Бала ${i}`,
      'общая',
      ddmmyyyy(reg),
      status[0],
      '2025-10-01',
      `"${k + 1}, ${((k + 13) % KINDERGARTENS) + 1}, ${((k + 29) % KINDERGARTENS) + 1}"`,
      ...status.slice(1),
    ].join(';');
  };
  const APP_HEADER =
    'queue_number;parent_iin;child_iin;child_full_name;category;registered_at;status;valid_until;choices;referral_kindergarten;referral_group;referral_accept_by';
  await writeLines(files.applications, APP_HEADER, ROWS, applicationLine(false));
  const plain = applicationLine(false);
  const referred = applicationLine(true);
  await writeLines(files.changed, APP_HEADER, ROWS, (i) => (i % STEP === 0 && i / STEP < CHANGED ? referred(i) : plain(i)));
  const mb = (await stat(files.applications)).size / 1e6;
  console.log(
    `generated ${ROWS} applications (${mb.toFixed(0)} MB), ${PARENTS} parents, ${KINDERGARTENS} kindergartens in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kq-bench-import-'));
  const files = filesIn(dir);
  const gen = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--generate', dir], { stdio: 'inherit' });
  if (gen.status !== 0) throw new Error('generating the files failed');
  const step = STEP;
  const changedFile = files.changed;
  const db = await createTestDatabase(DB, { thread: DB === 'embedded' });
  const peakMb = () => Math.round(process.resourceUsage().maxRSS / 1024);
  const timed = async (label: string, kind: ImportKindName, file: string) => {
    const bar = progress(`import ${label}`);
    const started = performance.now();
    const r = await runImport(db, IMPORT_KINDS[kind], { file, reportFile: null, onProgress: bar.update });
    bar.done();
    const s = (performance.now() - started) / 1000;
    if (!r.committed || r.rejectedCount > 0) throw new Error(`${kind}: ${r.rejectedCount} rejected, e.g. ${JSON.stringify(r.rejections[0])}`);
    console.log(
      `${label.padEnd(22)} ${String(r.rows).padStart(9)} rows in ${s.toFixed(1).padStart(6)} s = ${String(Math.round(r.rows / s)).padStart(7)} rows/s; ` +
        `${r.events} events, ${r.notices} outbox rows; peak RSS so far ${peakMb()} MB`,
    );
    return r;
  };
  try {
    for (const kind of ['kindergartens', 'parents', 'applications'] as ImportKindName[]) await timed(kind, kind, files[kind]);
    const [counts] = await db.prisma.$queryRaw<{ a: number; c: number; ch: number }[]>`
      SELECT (SELECT count(*) FROM applications)::int AS a, (SELECT count(*) FROM application_choices)::int AS c, (SELECT count(*) FROM children)::int AS ch`;
    console.log(`in the database: ${counts!.a} applications, ${counts!.c} choices, ${counts!.ch} children`);

    const again = await timed('applications again', 'applications', files.applications);
    if (again.events !== 0) throw new Error(`an identical re-import recorded ${again.events} events`);

    // The parents of the applications about to change talk to the bot on both channels.
    await db.prisma.$executeRaw`
      INSERT INTO chat_links (channel, "chatId", "parentId", locale)
      SELECT ch.channel::"Channel", ch.channel || '-' || p.id, p.id, 'kk'::"Locale"
      FROM applications a JOIN parents p ON p.id = a."parentId", (VALUES ('TELEGRAM'), ('WHATSAPP')) AS ch(channel)
      WHERE (a."queueNumber" - 100000) % ${step} = 0 AND (a."queueNumber" - 100000) / ${step} < ${CHANGED}
      ON CONFLICT DO NOTHING`;
    const chats = await db.prisma.chatLink.count();
    const changed = await timed('applications changed', 'applications', changedFile);
    const outbox = await db.prisma.outbox.count();
    console.log(`${CHANGED} referrals: ${changed.events} events (want ${CHANGED}), ${outbox} outbox rows for ${chats} linked chats (want ${CHANGED * 2})`);
    if (changed.events !== CHANGED || outbox !== CHANGED * 2) throw new Error('events or notices miscounted');
    console.log(`peak RSS ${peakMb()} MB`);
    if (process.env['BENCH_FLOOR'] === '1' && DB === 'postgres') await floor(db.prisma);
  } finally {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const REGISTRY = ['children', 'applications', 'application_choices'];

/** The database's own floor for the first import (see the header). */
async function floor(source: Awaited<ReturnType<typeof createTestDatabase>>['prisma']): Promise<void> {
  // The server process reads and writes these files: a folder it may enter.
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kq-bench-floor-'));
  await chmod(dir, 0o777);
  const file = (table: string) => path.join(dir, `floor-${table}.copy`);
  for (const t of ['kindergartens', 'parents', ...REGISTRY]) await source.$executeRawUnsafe(`COPY ${t} TO '${file(t)}'`);
  const db = await createTestDatabase('postgres');
  try {
    for (const t of ['kindergartens', 'parents']) await db.prisma.$executeRawUnsafe(`COPY ${t} FROM '${file(t)}'`);
    const connection = await pgImportConnection(db.url!);
    const started = performance.now();
    let copied = 0;
    await connection.transaction((s) =>
      inBulk(s, REGISTRY, async () => {
        for (const t of REGISTRY) await s.query(`COPY ${t} FROM '${file(t)}'`);
        copied = (performance.now() - started) / 1000;
      }),
    );
    await connection.close();
    const total = (performance.now() - started) / 1000;
    console.log(
      `floor: the same registry by server-side COPY ${copied.toFixed(1)} s + indexes and foreign keys ${(total - copied).toFixed(1)} s = ${total.toFixed(1)} s`,
    );
  } finally {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--generate') await generate(process.argv[3]!);
else await main();
