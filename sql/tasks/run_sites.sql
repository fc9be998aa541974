SELECT DISTINCT site_id
FROM landing_payloads
WHERE run_id = %(run_id)s AND status = 'in_progress' AND merged_at IS NOT NULL
