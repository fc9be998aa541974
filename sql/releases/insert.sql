INSERT INTO releases (project_id, version, status, released_at, release_types, is_security_update,
                      is_insecure, is_unsupported, core_compatibility, release_link, major, minor,
                      patch, extra, sort_key)
SELECT DISTINCT ON (p.id, sr.version)
       p.id, sr.version, sr.status, sr.released_at, sr.release_types, sr.is_security_update,
       sr.is_insecure, sr.is_unsupported, sr.core_compatibility, sr.release_link, sr.major, sr.minor,
       sr.patch, sr.extra, sr.sort_key
FROM stage_releases sr
JOIN projects p ON p.name = sr.project AND p.feed_api = sr.feed_api
ORDER BY p.id, sr.version
