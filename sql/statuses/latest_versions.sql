-- The latest release a project's status points at becomes a known version of
-- each of the project's modules (GET /modules/{name}/versions lists it), stored
-- with the parsed fields its feed release has. One (project, version) pair per
-- element of the two arrays.
WITH latest AS (
    SELECT DISTINCT project, latest_version
    FROM unnest(%(projects)s::text[], %(versions)s::text[]) AS pairs (project, latest_version)
)
INSERT INTO module_versions (module_id, version_string, major, minor, patch, extra, sort_key)
SELECT DISTINCT ON (m.id, l.latest_version)
       m.id, l.latest_version, r.major, r.minor, r.patch, r.extra, r.sort_key
FROM latest l
JOIN modules m ON m.project = l.project
LEFT JOIN projects p ON p.name = l.project
LEFT JOIN releases r ON r.project_id = p.id AND r.version = l.latest_version
ORDER BY m.id, l.latest_version, r.sort_key NULLS LAST
ON CONFLICT (module_id, version_string) DO NOTHING
