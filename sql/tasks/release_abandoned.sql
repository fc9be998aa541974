-- Tasks held by runs that ended without finishing them go back to pending;
-- after three attempts a task fails with a reason instead of looping forever.
UPDATE landing_payloads
SET status = CASE WHEN attempts >= %(max_attempts)s THEN 'failed' ELSE 'pending' END,
    error = CASE WHEN attempts >= %(max_attempts)s
                 THEN format('gave up after %%s attempts; last run %%s ended without completing it',
                             attempts, run_id)
            END,
    completed_at = CASE WHEN attempts >= %(max_attempts)s THEN now() END,
    progress_message = 'released: run ' || run_id || ' ended before completing it'
WHERE status = 'in_progress' AND run_id = ANY(%(run_ids)s)
RETURNING task_id
