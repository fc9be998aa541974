UPDATE stage_inventory s
SET module_id = m.id, version_id = v.id
FROM modules m
JOIN module_versions v ON v.module_id = m.id
WHERE m.machine_name = s.machine_name AND v.version_string = s.version
