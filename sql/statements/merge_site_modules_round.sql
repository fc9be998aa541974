-- Apply this round's listed modules. A changed version resets the status to
-- NOT_CHECKED until the status step has looked at it.
INSERT INTO site_modules AS sm (
    site_id, module_id, current_version_id, project, module_type, enabled, datestamp,
    first_seen, last_seen, last_updated)
SELECT site_id, module_id, version_id, project, module_type, enabled, datestamp,
       received_at, received_at, received_at
FROM stage_inventory
WHERE round = %(round)s
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
    removed_at = NULL,
    status = CASE WHEN sm.current_version_id <> EXCLUDED.current_version_id
                       OR sm.removed_at IS NOT NULL
                  THEN 'NOT_CHECKED' ELSE sm.status END
WHERE sm.current_version_id IS DISTINCT FROM EXCLUDED.current_version_id
   OR sm.enabled IS DISTINCT FROM EXCLUDED.enabled
   OR sm.project IS DISTINCT FROM EXCLUDED.project
   OR sm.module_type IS DISTINCT FROM EXCLUDED.module_type
   OR sm.datestamp IS DISTINCT FROM EXCLUDED.datestamp
   OR sm.removed_at IS NOT NULL
   OR sm.last_seen < EXCLUDED.last_seen
