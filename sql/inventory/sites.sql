-- A site's last sync is its newest merged payload; its last full sync is the
-- watermark that dates every module still present (see migration 0002).
UPDATE sites s
SET last_sync_at = greatest(s.last_sync_at, latest.received_at),
    last_full_sync_at = greatest(s.last_full_sync_at, latest.full_received_at),
    core_version = latest.core_version,
    updated_at = now()
FROM (
    SELECT DISTINCT ON (site_id) site_id, received_at, core_version,
           max(received_at) FILTER (WHERE sync_type = 'full') OVER (PARTITION BY site_id) AS full_received_at
    FROM landing_payloads
    WHERE task_id = ANY(%(task_ids)s::uuid[])
    ORDER BY site_id, id DESC
) latest
WHERE s.id = latest.site_id
