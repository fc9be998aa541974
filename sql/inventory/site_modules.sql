-- Each site module the run changes is written once, as its last change left
-- it, with the dates its changes set one after another: first_seen when it was
-- last added (or came back), last_updated when it last moved to another
-- version, last_seen when a payload last wrote it. Their projects' statuses
-- (site_projects) are the status step's, which runs after the merge.
WITH written AS (
    SELECT * FROM round_changes WHERE needs_write
), summary AS (
    SELECT site_id, module_id, max(round) AS last_round,
           max(round) FILTER (WHERE outcome = 'created') AS created_round,
           max(round) FILTER (WHERE version_moved) AS moved_round,
           max(received_at) FILTER (WHERE outcome <> 'removed') AS seen_at,
           max(stored_first_seen) AS stored_first_seen, max(stored_last_seen) AS stored_last_seen,
           max(stored_last_updated) AS stored_last_updated
    FROM written
    GROUP BY site_id, module_id
)
INSERT INTO site_modules AS sm (
    site_id, module_id, current_version_id, project, module_type, enabled, datestamp,
    first_seen, last_seen, last_updated, removed_at)
SELECT s.site_id, s.module_id, last.version_id, last.project, last.module_type, last.new_enabled, last.datestamp,
       coalesce(created.received_at, s.stored_first_seen),
       greatest(s.stored_last_seen, s.seen_at),
       coalesce(moved.received_at, s.stored_last_updated),
       CASE WHEN last.outcome = 'removed' THEN last.received_at END
FROM summary s
JOIN written last ON last.site_id = s.site_id AND last.module_id = s.module_id AND last.round = s.last_round
LEFT JOIN stage_payloads created ON created.site_id = s.site_id AND created.round = s.created_round
LEFT JOIN stage_payloads moved ON moved.site_id = s.site_id AND moved.round = s.moved_round
ON CONFLICT (site_id, module_id) DO UPDATE SET
    current_version_id = EXCLUDED.current_version_id,
    project = EXCLUDED.project,
    module_type = EXCLUDED.module_type,
    enabled = EXCLUDED.enabled,
    datestamp = EXCLUDED.datestamp,
    first_seen = EXCLUDED.first_seen,
    last_seen = EXCLUDED.last_seen,
    last_updated = EXCLUDED.last_updated,
    removed_at = EXCLUDED.removed_at
