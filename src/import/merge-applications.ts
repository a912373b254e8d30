/**
 * The applications' staging table and the set-based merge into the registry:
 * 1. the staged rows that differ from what the registry last sent (an md5 of the row, kept on the
 *    application) — on a re-import of the same file none, and nothing else is written;
 * 2. their children, applications and choices upserted; the bot's own state survives (below);
 * 3. what changed recorded as registry events, and the parents' notices planned in the outbox
 *    (./registry-events.ts) — in the import's transaction, so either all of it or none.
 */
import type { MergeContext, MergeOutcome, BatchRejection, StagingColumn } from './kind.ts';
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
  ['child_iin', 'text'],
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

export async function refusedApplications(s: ImportSession, stage: string): Promise<BatchRejection[]> {
  await s.query(`ANALYZE ${stage}`);
  const rows = await s.query<{ line: number; key: string }>(`
    SELECT st.line, st.queue_number::text AS key FROM ${stage} st
    WHERE NOT EXISTS (SELECT 1 FROM parents p WHERE p.iin = st.parent_iin) ORDER BY st.line`);
  return rows.map((r) => ({ line: r.line, key: r.key, reasons: [NO_PARENT] }));
}

/** Statuses only the registry sets: a row whose status differs in one of them is news even with an unchanged hash. */
const REGISTRY_OWNED = `('REFERRED', 'ENROLLED', 'WITHDRAWN')`;

export async function mergeApplications(s: ImportSession, stage: string, context: MergeContext): Promise<MergeOutcome> {
  const hash = `md5(concat_ws('|', st.parent_iin, st.child_iin, st.child_full_name, st.child_birth_date, st.category, st.registered_at, st.status,
                  st.valid_until, st.choices, coalesce(st.ref_kg::text, ''), coalesce(st.ref_group, ''), coalesce(st.ref_accept_by::text, '')))`;
  await s.query(`
    CREATE TEMP TABLE import_changed ON COMMIT DROP AS
    SELECT st.line, st.queue_number, st.child_iin::bpchar AS child_iin, st.child_full_name, st.child_birth_date::date AS child_birth_date,
           st.category, ${instant('st.registered_at')} AS registered_at, st.status, ${instant('st.valid_until')} AS valid_until,
           st.choices::int[] AS choices, st.ref_kg, st.ref_group, ${instant('st.ref_accept_by')} AS ref_accept_by,
           p.id AS parent_id, h.hash, a.id AS app_id, a.status::text AS old_status, a."referralKindergartenId" AS old_ref_kg
    FROM ${stage} st
    JOIN parents p ON p.iin = st.parent_iin
    CROSS JOIN LATERAL (SELECT ${hash} AS hash) h
    LEFT JOIN applications a ON a."queueNumber" = st.queue_number
    WHERE a.id IS NULL OR a."registryHash" IS DISTINCT FROM h.hash
       OR (a.status::text <> st.status AND (a.status::text IN ${REGISTRY_OWNED} OR st.status IN ${REGISTRY_OWNED}))`);
  await s.query('ANALYZE import_changed');
  const [{ n }] = (await s.query<{ n: number }>('SELECT count(*)::int AS n FROM import_changed')) as [{ n: number }];
  const upsert = () => upsertChanged(s);
  if (n >= context.bulkRows) await inBulk(s, ['children', 'applications', 'application_choices'], upsert);
  else await upsert();
  return recordRegistryEvents(s, 'import_changed', context.now, context.reach);
}

async function upsertChanged(s: ImportSession): Promise<void> {
  // Plain INSERTs for what is new and UPDATEs for what exists, rather than INSERT … ON CONFLICT:
  // a speculative insertion per row costs twice a plain one, and only imports create these rows.
  // A child named by several rows: the last row in the file wins.
  await s.query(`
    CREATE TEMP TABLE import_children ON COMMIT DROP AS
    SELECT DISTINCT ON (child_iin) child_iin AS iin, child_full_name AS full_name, child_birth_date AS birth_date, parent_id
    FROM import_changed ORDER BY child_iin, line DESC`);
  await s.query(`
    UPDATE children ch SET "fullName" = c.full_name, "birthDate" = c.birth_date, "parentId" = c.parent_id
    FROM import_children c
    WHERE ch.iin = c.iin AND (ch."fullName", ch."birthDate", ch."parentId") IS DISTINCT FROM (c.full_name, c.birth_date, c.parent_id)`);
  await s.query(`
    INSERT INTO children (iin, "fullName", "birthDate", "parentId")
    SELECT c.iin, c.full_name, c.birth_date, c.parent_id FROM import_children c
    WHERE NOT EXISTS (SELECT 1 FROM children ch WHERE ch.iin = c.iin)`);

  await s.query(`
    UPDATE applications a SET
      "parentId" = c.parent_id, "childId" = ch.id, category = c.category::"ApplicationCategory", "registeredAt" = c.registered_at,
      -- What the bot did since the export survives a re-import of that export: an active/stop-listed
      -- status from a row whose validity is not newer than ours is older news than our purge,
      -- extension or restore. Referrals, enrolments and withdrawals always come from the registry.
      status = CASE
        WHEN c.status IN ('ACTIVE', 'STOP_LISTED') AND a.status IN ('ACTIVE', 'STOP_LISTED') AND c.valid_until <= a."validUntil"
        THEN a.status ELSE c.status::"ApplicationStatus" END,
      "validUntil" = GREATEST(a."validUntil", c.valid_until),
      "referralKindergartenId" = c.ref_kg, "referralGroup" = c.ref_group, "referralAcceptBy" = c.ref_accept_by,
      "registryHash" = c.hash, "registryRevision" = a."registryRevision" + 1
    FROM import_changed c JOIN children ch ON ch.iin = c.child_iin
    WHERE a.id = c.app_id`);
  await s.query(`
    INSERT INTO applications ("queueNumber", "parentId", "childId", category, "registeredAt", status, "validUntil",
                              "referralKindergartenId", "referralGroup", "referralAcceptBy", "registryHash", "registryRevision")
    SELECT c.queue_number, c.parent_id, ch.id, c.category::"ApplicationCategory", c.registered_at, c.status::"ApplicationStatus",
           c.valid_until, c.ref_kg, c.ref_group, c.ref_accept_by, c.hash, 1
    FROM import_changed c JOIN children ch ON ch.iin = c.child_iin
    WHERE c.app_id IS NULL`);

  // The choices are replaced as a whole: a re-import with another order or set leaves no stale one.
  await s.query(`DELETE FROM application_choices ac USING import_changed c WHERE c.app_id IS NOT NULL AND ac."applicationId" = c.app_id`);
  await s.query(`
    INSERT INTO application_choices ("applicationId", "kindergartenId", rank)
    SELECT a.id, u.kg, u.rank::int
    FROM import_changed c JOIN applications a ON a."queueNumber" = c.queue_number
    CROSS JOIN LATERAL unnest(c.choices) WITH ORDINALITY AS u(kg, rank)`);
}
