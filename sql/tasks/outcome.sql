SELECT status, result, error
FROM landing_payloads
WHERE task_id = %(task_id)s
