-- A task for its status page, with the site the caller's token belongs to
-- (NULL for an unknown token or the admin) so one round trip authorises too.
SELECT task.task_id, task.site_id, task.status, task.received_at, task.started_at, task.completed_at,
       task.run_id, task.progress_current, task.progress_total, task.progress_message,
       task.result, task.error,
       (SELECT id FROM sites WHERE token_hash = %(token_hash)s) AS token_site_id
FROM (SELECT 1) AS one
LEFT JOIN landing_payloads AS task ON task.task_id = %(task_id)s
