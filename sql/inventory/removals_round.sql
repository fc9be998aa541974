-- A full sync removes every present site module its payload does not list.
WITH full_syncs AS (
    SELECT DISTINCT task_id, site_id, received_at
    FROM stage_inventory
    WHERE round = %(round)s AND sync_type = 'full'
), removed AS (
    UPDATE site_modules sm
    SET removed_at = f.received_at, enabled = false
    FROM full_syncs f
    WHERE sm.site_id = f.site_id
      AND sm.removed_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM round_changes c
                      WHERE c.task_id = f.task_id AND c.module_id = sm.module_id)
    RETURNING f.task_id, sm.site_id, sm.module_id, f.received_at, sm.current_version_id
)
INSERT INTO round_changes (round, task_id, site_id, module_id, received_at, outcome,
                           old_version, old_enabled, new_enabled, needs_write)
SELECT %(round)s, r.task_id, r.site_id, r.module_id, r.received_at, 'removed',
       v.version_string, NULL, false, false
FROM removed r
JOIN module_versions v ON v.id = r.current_version_id
