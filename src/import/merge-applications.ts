/**
 * The applications' staging table and the set-based merge into the registry:
 * 1. the staged rows that differ from what the registry last sent (a hash of the row, kept on the
 *    application), with their parent — on a re-import of the same file none, and nothing else is
 *    written; a row whose parent is unknown is refused from there;
 * 2. their children, applications and choices upserted; the bot's own state survives (below);
 * 3. what changed recorded as registry events, and the parents' notices planned in the outbox
 *    (./registry-events.ts) — in the import's transaction, so either all of it or none.
 */
import type { MergeContext, MergeOutcome, BatchRejection, StagedFacts, StagingColumn } from './kind.ts';
import type { ApplicationRow } from './kinds/applications.ts';
import type { CopyValue } from './staging/copy-text.ts';
import type { ImportSession } from './staging/session.ts';
import { recordRegistryEvents } from './registry-events.ts';
import { inBulk } from './bulk-load.ts';

/**
 * Instants as epoch milliseconds and the choices as their array text: cheap for COPY to read and
 * to hash. They are turned into timestamps and arrays only for the rows that changed (a re-import
 * of a million unchanged rows converts none).
 */
export const APPLICATION_STAGING: readonly StagingColumn[] = [
  ['queue_number', 'int'],
  ['parent_iin', 'char(12)'],
  ['child_iin', 'char(12)'],
  ['child_full_name', 'text'],
  ['child_birth_date', 'text'],
  ['category', 'text'],
  ['registered_at', 'bigint'],
  ['status', 'text'],
  ['valid_until', 'bigint'],
  ['choices', 'text'],
  ['ref_kg', 'int'],
  ['ref_group', 'text'],
  ['ref_accept_by', 'bigint'],
];

/** A staged epoch-milliseconds column as the registry's `timestamp(3)` (UTC wall time). */
const instant = (column: string) => `(timestamp '1970-01-01' + ${column} * interval '1 millisecond')::timestamp(3)`;

export function stageApplication(r: ApplicationRow): CopyValue[] {
  return [
    r.queueNumber,
    r.parentIin,
    r.childIin,
    r.childFullName,
    dayOf(r.childBirthDate),
    r.category,
    r.registeredAt.getTime(),
    r.status,
    r.validUntil.getTime(),
    r.kindergartenIds,
    r.referral?.kindergartenId ?? null,
    r.referral?.group ?? null,
    r.referral?.acceptBy ? r.referral.acceptBy.getTime() : null,
  ];
}

/** Birth days repeat across a file: each is formatted once. */
const days = new Map<number, string>();
function dayOf(d: Date): string {
  const t = d.getTime();
  let s = days.get(t);
  if (s === undefined) {
    if (days.size >= 50_000) days.clear();
    s = d.toISOString().slice(0, 10);
    days.set(t, s);
  }
  return s;
}

const NO_PARENT = 'parent_iin: заявитель с таким ИИН не загружен (сначала parents.csv) / no parent with this IIN (import parents.csv first)';

/** Statuses only the registry sets: a row whose status differs in one of them is news even with an unchanged hash. */
const REGISTRY_OWNED = `('REFERRED', 'ENROLLED', 'WITHDRAWN')`;

/**
 * Sifts the staged rows: those that changed since the registry's last export, with their parent's
 * id, go to `import_changed` (which the merge then writes); those whose parent is not imported
 * are refused. One pass over the staging table for both: an unchanged row always has its parent.
 *
 * The row's hash is PostgreSQL's 64-bit `hashtextextended` of its fields (md5 cost the first import
 * of a million rows 0.7 s more); a registry whose rows still carry an md5 from before sees each
 * row changed once, merged again with no event (its status is the same).
 */
export async function refusedApplications(s: ImportSession, stage: string, facts: StagedFacts): Promise<BatchRejection[]> {
  const hash = `hashtextextended(concat_ws('|', st.parent_iin, st.child_iin, st.child_full_name, st.child_birth_date, st.category, st.registered_at,
                  st.status, st.valid_until, st.choices, coalesce(st.ref_kg::text, ''), coalesce(st.ref_group, ''), coalesce(st.ref_accept_by::text, '')), 0)::text`;
  const [seq] = (await s.query<{ app: string; child: string }>(
    `SELECT pg_get_serial_sequence('applications', 'id') AS app, pg_get_serial_sequence('children', 'id') AS child`,
  )) as [{ app: string; child: string }];
  // New rows' ids are drawn here: the choices then need no join to find their application, nor the
  // applications to find their child. A child in several rows gets its id once they are merged.
  await s.query(`
    CREATE TEMP TABLE import_changed ON COMMIT DROP AS
    SELECT st.line, st.queue_number, st.child_iin, st.child_full_name, st.child_birth_date::date AS child_birth_date,
           st.category, ${instant('st.registered_at')} AS registered_at, st.status, ${instant('st.valid_until')} AS valid_until,
           st.choices::int[] AS choices, st.ref_kg, st.ref_group, ${instant('st.ref_accept_by')} AS ref_accept_by,
           p.id AS parent_id, h.hash, a.id AS app_id, COALESCE(a.id, nextval('${seq.app}'::regclass)) AS id,
           a.status::text AS old_status, a."referralKindergartenId" AS old_ref_kg,
           ch.id AS old_child_id, ${facts.sharedKeysRepeat ? 'NULL::int' : `COALESCE(ch.id, nextval('${seq.child}'::regclass))::int`} AS child_id
    FROM ${stage} st
    LEFT JOIN parents p ON p.iin = st.parent_iin
    CROSS JOIN LATERAL (SELECT ${hash} AS hash) h
    LEFT JOIN applications a ON a."queueNumber" = st.queue_number
    LEFT JOIN children ch ON ch.iin = st.child_iin
    WHERE a.id IS NULL OR a."registryHash" IS DISTINCT FROM h.hash
       OR (a.status::text <> st.status AND (a.status::text IN ${REGISTRY_OWNED} OR st.status IN ${REGISTRY_OWNED}))`);
  const rows = await s.query<{ line: number; key: string }>(`SELECT line, queue_number::text AS key FROM import_changed WHERE parent_id IS NULL ORDER BY line`);
  return rows.map((r) => ({ line: r.line, key: r.key, reasons: [NO_PARENT] }));
}

export async function mergeApplications(s: ImportSession, _stage: string, context: MergeContext): Promise<MergeOutcome> {
  // The refused rows (kept out of a partial import) leave with their staged line.
  await s.query('DELETE FROM import_changed WHERE parent_id IS NULL');
  const [{ n }] = (await s.query<{ n: number }>('SELECT count(*)::int AS n FROM import_changed')) as [{ n: number }];
  const upsert = () => upsertChanged(s, context.sharedKeysRepeat);
  if (n >= context.bulkRows) {
    // Read whole, row after row: no plan to choose, so no statistics to gather first.
    await inBulk(s, ['children', 'applications', 'application_choices'], upsert);
  } else {
    // A few rows joined to the registry's: the planner should know how few.
    await s.query('ANALYZE import_changed');
    await upsert();
  }
  return recordRegistryEvents(s, 'import_changed', context.now, context.reach);
}

async function upsertChanged(s: ImportSession, childrenRepeat: boolean): Promise<void> {
  // Plain INSERTs for what is new and UPDATEs for what exists, rather than INSERT … ON CONFLICT:
  // a speculative insertion per row costs twice a plain one, and only imports create these rows.
  // A child named by several rows: the last row in the file wins, and its id goes to every row.
  let children = 'import_changed';
  if (childrenRepeat) {
    const [{ seq }] = (await s.query<{ seq: string }>(`SELECT pg_get_serial_sequence('children', 'id') AS seq`)) as [{ seq: string }];
    await s.query(`
      CREATE TEMP TABLE import_children ON COMMIT DROP AS
      SELECT DISTINCT ON (child_iin) child_iin, child_full_name, child_birth_date, parent_id, old_child_id,
             COALESCE(old_child_id, nextval('${seq}'::regclass))::int AS child_id
      FROM import_changed ORDER BY child_iin, line DESC`);
    await s.query(`UPDATE import_changed c SET child_id = k.child_id FROM import_children k WHERE k.child_iin = c.child_iin`);
    children = 'import_children';
  }
  await s.query(`
    UPDATE children ch SET "fullName" = c.child_full_name, "birthDate" = c.child_birth_date, "parentId" = c.parent_id
    FROM ${children} c
    WHERE ch.id = c.old_child_id
      AND (ch."fullName", ch."birthDate", ch."parentId") IS DISTINCT FROM (c.child_full_name, c.child_birth_date, c.parent_id)`);
  await s.query(`
    INSERT INTO children (id, iin, "fullName", "birthDate", "parentId")
    SELECT c.child_id, c.child_iin, c.child_full_name, c.child_birth_date, c.parent_id FROM ${children} c WHERE c.old_child_id IS NULL`);

  await s.query(`
    UPDATE applications a SET
      "parentId" = c.parent_id, "childId" = c.child_id, category = c.category::"ApplicationCategory", "registeredAt" = c.registered_at,
      -- What the bot did since the export survives a re-import of that export: an active/stop-listed
      -- status from a row whose validity is not newer than ours is older news than our purge,
      -- extension or restore. Referrals, enrolments and withdrawals always come from the registry.
      status = CASE
        WHEN c.status IN ('ACTIVE', 'STOP_LISTED') AND a.status IN ('ACTIVE', 'STOP_LISTED') AND c.valid_until <= a."validUntil"
        THEN a.status ELSE c.status::"ApplicationStatus" END,
      "validUntil" = GREATEST(a."validUntil", c.valid_until),
      "referralKindergartenId" = c.ref_kg, "referralGroup" = c.ref_group, "referralAcceptBy" = c.ref_accept_by,
      "registryHash" = c.hash, "registryRevision" = a."registryRevision" + 1
    FROM import_changed c
    WHERE a.id = c.app_id`);
  await s.query(`
    INSERT INTO applications (id, "queueNumber", "parentId", "childId", category, "registeredAt", status, "validUntil",
                              "referralKindergartenId", "referralGroup", "referralAcceptBy", "registryHash", "registryRevision")
    SELECT c.id, c.queue_number, c.parent_id, c.child_id, c.category::"ApplicationCategory", c.registered_at, c.status::"ApplicationStatus",
           c.valid_until, c.ref_kg, c.ref_group, c.ref_accept_by, c.hash, 1
    FROM import_changed c
    WHERE c.app_id IS NULL`);

  // The choices are replaced as a whole: a re-import with another order or set leaves no stale one.
  await s.query(`DELETE FROM application_choices ac USING import_changed c WHERE c.app_id IS NOT NULL AND ac."applicationId" = c.app_id`);
  await s.query(`
    INSERT INTO application_choices ("applicationId", "kindergartenId", rank)
    SELECT c.id, u.kg, u.rank::int FROM import_changed c CROSS JOIN LATERAL unnest(c.choices) WITH ORDINALITY AS u(kg, rank)`);
}
