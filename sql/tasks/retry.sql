-- Put failed tasks back to pending, each with one audit row. A task is not
-- retried when it is not failed, or when a later payload of its site has been
-- applied since: applied now, its older inventory would roll the site back.
WITH wanted AS (
    SELECT p.id, p.task_id, p.site_id, p.status, p.error,
           (SELECT later.task_id FROM landing_payloads later
            WHERE later.site_id = p.site_id AND later.id > p.id AND later.merged_at IS NOT NULL
            ORDER BY later.id
            LIMIT 1) AS superseded_by
    FROM landing_payloads p
    WHERE p.task_id = ANY(%(task_ids)s::uuid[]) OR (%(every_failed)s AND p.status = 'failed')
    FOR UPDATE OF p
),
retried AS (
    UPDATE landing_payloads p
    SET status = 'pending', error = NULL, run_id = NULL, started_at = NULL, completed_at = NULL,
        attempts = 0, progress_message = 'retried: waiting for an ingest run'
    FROM wanted w
    WHERE p.id = w.id AND w.status = 'failed' AND w.superseded_by IS NULL
    RETURNING p.id
),
audited AS (
    INSERT INTO audit_log (actor, action, entity_type, entity_id, details)
    SELECT %(actor)s, 'task.retry', 'task', w.task_id::text,
           jsonb_build_object('site_id', w.site_id, 'error', w.error)
    FROM wanted w JOIN retried r ON r.id = w.id
)
SELECT w.task_id::text AS task_id, w.site_id, w.status, w.error, w.superseded_by::text AS superseded_by,
       r.id IS NOT NULL AS retried
FROM wanted w
LEFT JOIN retried r ON r.id = w.id
ORDER BY w.id
