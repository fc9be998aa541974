UPDATE stage_inventory s
SET module_id = m.id, version_id = v.id
FROM modules m
JOIN module_versions v ON v.module_id = m.id
WHERE m.machine_name = s.machine_name AND v.version_string = s.version
;
-- The removal and classification steps probe the stage by these keys.
CREATE INDEX ON stage_inventory (task_id, module_id);
CREATE INDEX ON stage_inventory (round, site_id);
ANALYZE stage_inventory
