INSERT INTO module_versions (module_id, version_string, sort_key)
SELECT DISTINCT ON (m.id, s.version) m.id, s.version, s.sort_key
FROM stage_inventory s
JOIN modules m ON m.machine_name = s.machine_name
ORDER BY m.id, s.version
ON CONFLICT (module_id, version_string) DO NOTHING
