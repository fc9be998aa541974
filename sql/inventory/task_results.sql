-- Record each task's counts and warnings in the same transaction as its merge,
-- and answer how many listed modules of the run took each outcome, for the
-- run's metadata.
WITH counts AS (
    SELECT task_id,
           count(*) FILTER (WHERE outcome <> 'removed') AS processed,
           count(*) FILTER (WHERE outcome = 'created') AS created,
           count(*) FILTER (WHERE outcome = 'updated') AS updated,
           count(*) FILTER (WHERE outcome = 'unchanged') AS unchanged,
           count(*) FILTER (WHERE outcome = 'removed') AS removed
    FROM round_changes
    GROUP BY task_id
), warnings AS (
    SELECT key::uuid AS task_id, value AS warnings
    FROM jsonb_each(%(warnings)s::jsonb)
), recorded AS (
    UPDATE landing_payloads p
    SET merged_at = now(),
        progress_current = p.modules_received,
        progress_message = 'merged',
        result = jsonb_build_object(
            'site_id', p.site_id,
            'sync_type', p.sync_type,
            'modules_processed', c.processed,
            'modules_created', c.created,
            'modules_updated', c.updated,
            'modules_unchanged', c.unchanged,
            'modules_removed', c.removed,
            'warnings', coalesce(w.warnings, '[]'::jsonb),
            'errors', '[]'::jsonb,
            'message', format('Synced %%s modules: %%s created, %%s updated, %%s unchanged, %%s removed',
                              c.processed, c.created, c.updated, c.unchanged, c.removed))
    FROM counts c
    LEFT JOIN warnings w USING (task_id)
    WHERE p.task_id = c.task_id
)
SELECT outcome, modules
FROM (SELECT 'created' AS outcome, sum(created)::bigint AS modules FROM counts
      UNION ALL SELECT 'updated', sum(updated)::bigint FROM counts
      UNION ALL SELECT 'unchanged', sum(unchanged)::bigint FROM counts
      UNION ALL SELECT 'removed', sum(removed)::bigint FROM counts) AS run
WHERE modules > 0
