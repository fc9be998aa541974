-- Finish the run's merged tasks, adding what the status step found.
UPDATE landing_payloads p
SET status = 'completed',
    completed_at = now(),
    progress_current = p.modules_received,
    progress_message = 'completed',
    result = p.result || jsonb_build_object(
        'security_updates_found', coalesce(found.security_updates, 0),
        'processing_time_ms', (extract(epoch FROM now() - p.started_at) * 1000)::bigint)
FROM landing_payloads t
LEFT JOIN LATERAL (
    -- present modules whose project has a security update: the status lives on the project's row
    SELECT count(*) AS security_updates
    FROM site_modules sm
    JOIN site_projects sp ON sp.site_id = sm.site_id AND sp.project = sm.project
    WHERE sm.site_id = t.site_id AND sm.removed_at IS NULL AND sp.security_update_available
) found ON true
WHERE p.id = t.id
  AND p.run_id = %(run_id)s
  AND p.status = 'in_progress'
  AND p.merged_at IS NOT NULL
RETURNING p.task_id::text AS task_id, p.site_id
