-- How many tasks stand in each state, and since when the oldest of them has waited.
SELECT status, count(*) AS tasks, min(received_at) AS oldest_received_at
FROM landing_payloads
GROUP BY status
ORDER BY status
