-- A site's last sync is its newest merged payload.
UPDATE sites s
SET last_sync_at = greatest(s.last_sync_at, latest.received_at),
    core_version = latest.core_version,
    updated_at = now()
FROM (
    SELECT DISTINCT ON (site_id) site_id, received_at, core_version
    FROM landing_payloads
    WHERE task_id = ANY(%(task_ids)s::uuid[])
    ORDER BY site_id, id DESC
) latest
WHERE s.id = latest.site_id
