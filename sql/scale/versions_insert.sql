INSERT INTO module_versions (module_id, version_string, major, minor, patch, extra, sort_key)
SELECT m.id, v.version, v.major, v.minor, v.patch, v.extra, v.sort_key
FROM scale_versions v
JOIN modules m ON m.machine_name = v.machine_name
ON CONFLICT (module_id, version_string) DO NOTHING
