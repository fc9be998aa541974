-- Feed releases with their stored parsed fields, plus versions an admin marked
-- as security releases by hand: those count like a feed's "Security update"
-- release, with the fields parsed when the version was stored. Only the given
-- projects' (every project's when NULL): one site's refresh reads only what it uses.
SELECT p.name AS project, p.feed_api, r.version, r.status, r.released_at AS date,
       r.is_security_update OR coalesce(manual.is_security_update, false) AS is_security_update,
       r.is_insecure, r.is_unsupported, r.major, r.minor, r.extra,
       coalesce(r.extra = 'dev', false) AS is_dev, r.sort_key
FROM releases r
JOIN projects p ON p.id = r.project_id
LEFT JOIN LATERAL (
    SELECT true AS is_security_update
    FROM module_versions mv JOIN modules m ON m.id = mv.module_id
    WHERE m.project = p.name AND mv.version_string = r.version AND mv.is_security_update
    LIMIT 1
) manual ON true
WHERE %(projects)s::text[] IS NULL OR p.name = ANY(%(projects)s::text[])
UNION ALL
SELECT DISTINCT ON (p.name, p.feed_api, mv.version_string)
       p.name, p.feed_api, mv.version_string, 'published', coalesce(mv.release_date, mv.created_at),
       true, false, false, mv.major, mv.minor, mv.extra, coalesce(mv.extra = 'dev', false), mv.sort_key
FROM module_versions mv
JOIN modules m ON m.id = mv.module_id
JOIN projects p ON p.name = m.project AND p.fetch_state <> 'pending'
WHERE mv.is_security_update
  AND (%(projects)s::text[] IS NULL OR p.name = ANY(%(projects)s::text[]))
  AND NOT EXISTS (SELECT 1 FROM releases r WHERE r.project_id = p.id AND r.version = mv.version_string)
