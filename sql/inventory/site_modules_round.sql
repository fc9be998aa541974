-- Write this round's new and changed site modules. Their projects' statuses
-- (site_projects) are the status step's, which runs after the merge.
INSERT INTO site_modules AS sm (
    site_id, module_id, current_version_id, project, module_type, enabled, datestamp,
    first_seen, last_seen, last_updated)
SELECT site_id, module_id, version_id, project, module_type, new_enabled, datestamp,
       received_at, received_at, received_at
FROM round_changes
WHERE round = %(round)s AND needs_write
ON CONFLICT (site_id, module_id) DO UPDATE SET
    current_version_id = EXCLUDED.current_version_id,
    project = EXCLUDED.project,
    module_type = EXCLUDED.module_type,
    enabled = EXCLUDED.enabled,
    datestamp = EXCLUDED.datestamp,
    last_seen = greatest(sm.last_seen, EXCLUDED.last_seen),
    last_updated = CASE WHEN sm.current_version_id <> EXCLUDED.current_version_id
                             OR sm.removed_at IS NOT NULL
                        THEN EXCLUDED.last_seen ELSE sm.last_updated END,
    first_seen = CASE WHEN sm.removed_at IS NOT NULL THEN EXCLUDED.first_seen ELSE sm.first_seen END,
    removed_at = NULL
