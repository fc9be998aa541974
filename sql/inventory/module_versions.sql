-- Versions seen for the first time; known ones are left as they are.
INSERT INTO module_versions (module_id, version_string, major, minor, patch, extra, sort_key)
SELECT m.id, s.version, s.major, s.minor, s.patch, s.extra, s.sort_key
FROM stage_versions s
JOIN modules m ON m.machine_name = s.machine_name
WHERE NOT EXISTS (SELECT 1 FROM module_versions v
                  WHERE v.module_id = m.id AND v.version_string = s.version)
ORDER BY m.id, s.version
ON CONFLICT (module_id, version_string) DO NOTHING
