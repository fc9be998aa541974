UPDATE landing_payloads
SET status = 'failed', error = %(error)s, completed_at = now(), progress_message = 'failed'
WHERE task_id = %(task_id)s::uuid
