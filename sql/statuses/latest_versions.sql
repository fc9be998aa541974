-- The latest release becomes a known version of the module, so site_modules
-- can point at it; it is stored with the parsed fields its feed release has.
INSERT INTO module_versions (module_id, version_string, major, minor, patch, extra, sort_key)
SELECT DISTINCT ON (s.module_id, s.latest_version)
       s.module_id, s.latest_version, r.major, r.minor, r.patch, r.extra, r.sort_key
FROM stage_status s
JOIN modules m ON m.id = s.module_id
LEFT JOIN projects p ON p.name = m.project
LEFT JOIN releases r ON r.project_id = p.id AND r.version = s.latest_version
WHERE s.latest_version IS NOT NULL
ORDER BY s.module_id, s.latest_version, r.sort_key NULLS LAST
ON CONFLICT (module_id, version_string) DO NOTHING
