-- Each site module the run changes is written once, as its last change left
-- it, with the dates its changes set one after another: first_seen when it was
-- last added (or came back), last_updated when it last moved to another
-- version, last_seen when a payload last wrote it. Then one history event per
-- change, in the order the payloads apply, for the rows just written (their
-- ids come back from the write: no second look-up). Their projects' statuses
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
), upserted AS (
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
    RETURNING sm.id, sm.site_id, sm.module_id
)
INSERT INTO site_module_events (site_module_id, site_id, module_id, task_id, event_type,
                                from_version, to_version, occurred_at)
SELECT u.id, c.site_id, c.module_id, c.task_id, e.event_type, e.from_version, e.to_version, c.received_at
FROM round_changes c
JOIN upserted u ON u.site_id = c.site_id AND u.module_id = c.module_id
LEFT JOIN module_versions old ON old.id = c.old_version_id
CROSS JOIN LATERAL (VALUES
    (1, 'added', NULL, c.new_version, c.outcome = 'created'),
    (2, 'removed', old.version_string, NULL, c.outcome = 'removed'),
    (3, 'version_changed', old.version_string, c.new_version,
        c.outcome = 'updated' AND c.old_version_id <> c.version_id),
    (4, 'enabled', c.new_version, c.new_version,
        c.outcome = 'updated' AND NOT c.old_enabled AND c.new_enabled),
    (5, 'disabled', c.new_version, c.new_version,
        c.outcome = 'updated' AND c.old_enabled AND NOT c.new_enabled)
) AS e(position, event_type, from_version, to_version, happened)
WHERE c.outcome <> 'unchanged' AND e.happened
ORDER BY c.round, c.site_id, c.module_id, e.position
