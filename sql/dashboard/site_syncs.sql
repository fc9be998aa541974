-- A site's latest pushes with their task status and the Dagster run that
-- processed each (the (site_id, received_at) index, newest first).
SELECT task_id, received_at, status, sync_type, payload_shape, modules_received, run_id, started_at,
       completed_at, error,
       (result ->> 'modules_created')::int AS modules_created,
       (result ->> 'modules_updated')::int AS modules_updated,
       (result ->> 'modules_removed')::int AS modules_removed
FROM landing_payloads
WHERE site_id = %(site_id)s
ORDER BY received_at DESC, id DESC
LIMIT %(limit)s
