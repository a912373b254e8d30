/**
 * What an applications import changed, as registry events, and the notices that tell the parents.
 * Run by the merge (./merge-applications.ts) on `changed`: the staged rows that differed, with the
 * application's status and referral kindergarten before the merge (`old_status` null: a new one).
 *
 * Kinds (new = the application as merged):
 * - REFERRAL_ISSUED: now REFERRED, and before not, or to another kindergarten ("moved");
 * - REFERRAL_LAPSED: was REFERRED, now back in the queue (withdrawn or expired);
 * - ENROLLED, WITHDRAWN: the status became that;
 * - NEW_APPLICATION: an application first seen, in the queue, of a parent the bot knows (a linked chat).
 * A new application of a parent without a chat is no news to anyone; of a parent with one, a
 * referral or enrolment is told as such. Each event is recorded once: (application, kind,
 * registry revision) is unique and the revision moves only when the row changed, so an identical
 * re-import records nothing and a re-run after a crash records what the crash lost, once.
 */
import { REGISTRY_NOTICE_PREFIX } from '../campaign/outbox-kinds.ts';
import type { MergeOutcome, RegistryReach } from './kind.ts';
import { utcTimestamp as utc } from './staging/copy-text.ts';
import type { ImportSession } from './staging/session.ts';

/** A changed row that can be news: an application seen before, or a new one of a parent the bot knows. */
const MAYBE_NEWS = `c.old_status IS NOT NULL OR c.parent_id IN (SELECT "parentId" FROM chat_links)`;

export async function recordRegistryEvents(s: ImportSession, changed: string, now: Date, reach: RegistryReach): Promise<MergeOutcome> {
  // A region's first import is a million new rows no chat knows: one scan says so, and the join
  // of every changed row to its application below is not planned at all.
  const [{ any } = { any: false }] = await s.query<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${changed} c WHERE ${MAYBE_NEWS}) AS any`);
  if (!any) return { events: 0, notices: 0 };
  const [counts] = await s.query<{ events: number; notices: number }>(
    `
    WITH merged AS (
      SELECT a.id AS application_id, a."parentId" AS parent_id, a."registryRevision" AS revision, a."queueNumber" AS queue_number,
             c.old_status, c.old_ref_kg, a.status::text AS status, a."referralKindergartenId" AS ref_kg,
             a."referralGroup" AS ref_group, a."referralAcceptBy" AS accept_by,
             (c.old_status IS NULL) AS is_new
      FROM ${changed} c JOIN applications a ON a."queueNumber" = c.queue_number
      -- A new application is news only to a parent the bot knows (a region's first import: none).
      WHERE ${MAYBE_NEWS}
    ),
    found AS (
      SELECT m.*, k.kind FROM merged m
      CROSS JOIN LATERAL (VALUES
        (CASE WHEN m.status = 'REFERRED' AND (m.old_status IS DISTINCT FROM 'REFERRED' OR m.old_ref_kg IS DISTINCT FROM m.ref_kg) THEN 'REFERRAL_ISSUED' END),
        (CASE WHEN m.old_status = 'REFERRED' AND m.status IN ('ACTIVE', 'STOP_LISTED') THEN 'REFERRAL_LAPSED' END),
        (CASE WHEN m.status = 'ENROLLED' AND m.old_status IS DISTINCT FROM 'ENROLLED' THEN 'ENROLLED' END),
        (CASE WHEN m.status = 'WITHDRAWN' AND m.old_status <> 'WITHDRAWN' THEN 'WITHDRAWN' END),
        (CASE WHEN m.is_new AND m.status IN ('ACTIVE', 'STOP_LISTED') THEN 'NEW_APPLICATION' END)
      ) AS k(kind)
      WHERE k.kind IS NOT NULL
    ),
    events AS (
      INSERT INTO registry_events ("applicationId", "parentId", kind, revision, payload)
      SELECT application_id, parent_id, kind, revision,
             jsonb_build_object('queueNumber', queue_number, 'status', status, 'kindergartenId', ref_kg, 'group', ref_group,
                                'acceptBy', to_char(accept_by, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
      FROM found ORDER BY queue_number, kind
      ON CONFLICT ("applicationId", kind, revision) DO NOTHING
      RETURNING id, "parentId", kind, payload
    ),
    notices AS (
      INSERT INTO outbox ("dedupeKey", channel, "chatId", "parentId", kind, payload, "nextAttemptAt")
      SELECT 'registry:' || e.id || ':' || l.channel || ':' || l."chatId", l.channel, l."chatId", e."parentId",
             '${REGISTRY_NOTICE_PREFIX}' || e.kind, e.payload || jsonb_build_object('eventId', e.id),
             $1::timestamp(3)
      FROM events e
      JOIN chat_links l ON l."parentId" = e."parentId" AND l."unreachableAt" IS NULL AND l.channel IN ('TELEGRAM', 'WHATSAPP')
      WHERE NOT EXISTS (SELECT 1 FROM notification_opt_outs x WHERE x."parentId" = e."parentId" AND x.channel = l.channel)
      ON CONFLICT ("dedupeKey") DO NOTHING
      RETURNING 1
    ),
    -- A referral for a parent no chat reaches goes to the registry phone, as the campaign's
    -- reminders do (src/campaign/outreach.ts): a WhatsApp template with their consent, else an SMS.
    reach AS (
      INSERT INTO outbox ("dedupeKey", channel, "chatId", "parentId", kind, payload, "nextAttemptAt")
      SELECT 'registry:' || e.id || ':' || r.channel || ':' || r.address, r.channel::"Channel", r.address, e."parentId",
             '${REGISTRY_NOTICE_PREFIX}' || e.kind, e.payload || jsonb_build_object('eventId', e.id, 'outreach', true), $1::timestamp(3)
      FROM events e
      JOIN parents p ON p.id = e."parentId"
      CROSS JOIN LATERAL (
        SELECT substr(p.phone, 2) AS address,
               CASE WHEN $2::boolean AND p."notifyWhatsapp" IS TRUE
                         AND NOT EXISTS (SELECT 1 FROM notification_opt_outs x WHERE x."parentId" = p.id AND x.channel = 'WHATSAPP') THEN 'WHATSAPP'
                    WHEN $3::boolean AND p."notifySms" IS TRUE
                         AND NOT EXISTS (SELECT 1 FROM notification_opt_outs x WHERE x."parentId" = p.id AND x.channel = 'SMS') THEN 'SMS' END AS channel
      ) r
      WHERE e.kind = 'REFERRAL_ISSUED' AND r.channel IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM chat_links l WHERE l."parentId" = e."parentId" AND l."unreachableAt" IS NULL AND l.channel IN ('TELEGRAM', 'WHATSAPP'))
      ON CONFLICT ("dedupeKey") DO NOTHING
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM events)::int AS events, ((SELECT count(*) FROM notices) + (SELECT count(*) FROM reach))::int AS notices`,
    [utc(now), reach.whatsapp, reach.sms],
  );
  return counts ?? { events: 0, notices: 0 };
}
