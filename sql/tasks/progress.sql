UPDATE landing_payloads
SET progress_current = CASE WHEN %(done)s THEN modules_received ELSE progress_current END,
    progress_message = %(message)s
WHERE run_id = %(run_id)s AND status = 'in_progress'
