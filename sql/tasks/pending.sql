-- Payloads waiting for a run, oldest first. Selects "not yet processed" rather
-- than "id above a cursor": identity values can commit out of order.
SELECT id, task_id::text AS task_id, site_id, attempts
FROM landing_payloads
WHERE status = 'pending'
ORDER BY id
LIMIT %(limit)s
