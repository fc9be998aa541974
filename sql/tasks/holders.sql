-- Runs currently holding tasks (the partial index on unfinished rows serves this).
SELECT DISTINCT run_id
FROM landing_payloads
WHERE status = 'in_progress' AND run_id IS NOT NULL
