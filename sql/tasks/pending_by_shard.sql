-- Payloads waiting for a run, the oldest `limit` of each shard of sites (a
-- site's shard is its id modulo the shard count), skipping shards that
-- already have a run waiting to start and the payloads of runs in flight.
-- Selects "not yet processed" rather than "id above a cursor": identity
-- values can commit out of order.
SELECT batch.id, batch.task_id, batch.site_id, batch.attempts, shard.index AS shard
FROM generate_series(0, %(shards)s - 1) AS shard(index)
CROSS JOIN LATERAL (
    SELECT p.id, p.task_id::text AS task_id, p.site_id, p.attempts
    FROM landing_payloads p
    WHERE p.status = 'pending'
      AND mod(p.site_id, %(shards)s) = shard.index
      AND p.id <> ALL(%(taken)s::bigint[])
    ORDER BY p.id
    LIMIT %(limit)s
) AS batch
WHERE shard.index <> ALL(%(busy)s::int[])
ORDER BY shard.index, batch.id
