-- Land one payload under the site lock taken by lock_site.sql: count the
-- trailing hour, look for an earlier payload with the same Idempotency-Key
-- (24 h), and insert (+ audit) only when it is not a repeat and the limit
-- allows. One round trip; the caller reads the decision from the one row.
WITH recent AS (
    SELECT count(*) AS used,
           min(received_at) AS oldest,
           -- when enough payloads have left the window for one more to fit
           (array_agg(received_at ORDER BY received_at))[greatest(count(*) - %(rate_limit)s + 1, 1)]
               AS slot_frees_from
    FROM landing_payloads
    WHERE site_id = %(site_id)s
      AND received_at > statement_timestamp() - interval '1 hour'
),
repeat AS (
    SELECT task_id, body_sha256 = %(body_sha256)s AS same_body, modules_received, sync_type
    FROM landing_payloads
    WHERE site_id = %(site_id)s
      AND idempotency_key = %(idempotency_key)s
      AND received_at > statement_timestamp() - interval '24 hours'
    ORDER BY received_at DESC
    LIMIT 1
),
landed AS (
    INSERT INTO landing_payloads
        (site_id, payload_shape, sync_type, core_version, modules_received, body, body_sha256, idempotency_key)
    SELECT %(site_id)s, %(payload_shape)s, %(sync_type)s, %(core_version)s, %(modules_received)s,
           %(body)s, %(body_sha256)s, %(idempotency_key)s
    FROM recent
    WHERE recent.used < %(rate_limit)s
      AND NOT EXISTS (SELECT FROM repeat)
    RETURNING task_id, received_at
),
audited AS (
    INSERT INTO audit_log (actor, action, entity_type, entity_id, details)
    SELECT %(actor)s, 'sync.accepted', 'site', %(site_id)s::text,
           jsonb_build_object('task_id', landed.task_id,
                              'modules_received', %(modules_received)s::integer,
                              'sync_type', %(sync_type)s::text,
                              'payload_shape', %(payload_shape)s::text)
    FROM landed
)
SELECT landed.task_id,
       landed.received_at,
       recent.used,
       recent.oldest,
       recent.slot_frees_from,
       statement_timestamp() AS database_now,
       repeat.task_id AS repeat_task_id,
       repeat.same_body AS repeat_same_body,
       repeat.modules_received AS repeat_modules_received,
       repeat.sync_type AS repeat_sync_type
FROM recent
LEFT JOIN landed ON true
LEFT JOIN repeat ON true
