-- Payloads of a finished run that are neither completed nor failed with a
-- reason, and failures without a reason.
SELECT task_id::text AS task_id, status, run_id
FROM landing_payloads
WHERE (status = 'in_progress' AND run_id = %(run_id)s)
   OR (status = 'failed' AND coalesce(error, '') = '')
LIMIT 20
