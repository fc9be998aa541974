-- Claim payloads for a run, only those of its shard of sites (a site's shard
-- is its id modulo the shard count; a run that names no shard takes the
-- shard of its batch's oldest payload), so runs of different shards never
-- share a site. A payload is never taken while an earlier payload of the
-- same site is held by another run or still pending outside the batch, so
-- each site's payloads apply in the order received. Callers hold the claim
-- advisory lock.
WITH batch AS (
    SELECT coalesce(%(shard)s::int,
                    (SELECT mod(oldest.site_id, %(shards)s)::int
                     FROM landing_payloads oldest
                     WHERE oldest.id = (SELECT min(id) FROM unnest(%(landing_ids)s::bigint[]) AS id))) AS shard
)
UPDATE landing_payloads p
SET status = 'in_progress',
    run_id = %(run_id)s,
    started_at = coalesce(p.started_at, now()),
    -- A retried step of the same run claims again: only a new run counts as an attempt.
    attempts = p.attempts + CASE WHEN p.status = 'pending' THEN 1 ELSE 0 END,
    progress_total = p.modules_received,
    progress_message = 'claimed by run ' || %(run_id)s
FROM batch
WHERE p.id = ANY(%(landing_ids)s)
  AND mod(p.site_id, %(shards)s) = batch.shard
  AND (p.status = 'pending' OR (p.status = 'in_progress' AND p.run_id = %(run_id)s))
  AND NOT EXISTS (
      SELECT 1 FROM landing_payloads earlier
      WHERE earlier.site_id = p.site_id
        AND earlier.id < p.id
        AND earlier.status IN ('pending', 'in_progress')
        AND earlier.id <> ALL(%(landing_ids)s))
RETURNING p.id AS landing_id, p.task_id::text AS task_id, p.site_id, p.payload_shape,
          p.sync_type, p.core_version, p.received_at, p.body, p.merged_at
