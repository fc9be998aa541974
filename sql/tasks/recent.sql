-- The latest tasks, newest first, optionally of one status (for `modwatch tasks list`).
SELECT task_id::text AS task_id, site_id, status, received_at, attempts, run_id, progress_message, error
FROM landing_payloads
WHERE %(status)s::text IS NULL OR status = %(status)s::text
ORDER BY id DESC
LIMIT %(limit)s
