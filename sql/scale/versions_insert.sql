INSERT INTO module_versions (module_id, version_string, sort_key)
SELECT m.id, v.version, v.sort_key
FROM scale_versions v
JOIN modules m ON m.machine_name = v.machine_name
ON CONFLICT (module_id, version_string) DO NOTHING
