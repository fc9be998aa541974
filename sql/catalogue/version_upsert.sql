-- Add a version or change the fields given (NULL: keep). An ingest may add
-- the same version at the same moment; the unique key settles it either way.
INSERT INTO module_versions (module_id, version_string, sort_key, is_security_update, release_date,
                             release_notes_link)
VALUES (%(module_id)s, %(version)s, %(sort_key)s, coalesce(%(is_security_update)s::boolean, false),
        %(release_date)s::timestamptz, %(release_notes_link)s::text)
ON CONFLICT (module_id, version_string) DO UPDATE
SET is_security_update = coalesce(%(is_security_update)s::boolean, module_versions.is_security_update),
    release_date = coalesce(%(release_date)s::timestamptz, module_versions.release_date),
    release_notes_link = coalesce(%(release_notes_link)s::text, module_versions.release_notes_link),
    sort_key = coalesce(module_versions.sort_key, excluded.sort_key)
RETURNING version_string AS version, is_security_update, release_date, release_notes_link, created_at,
          (SELECT count(*) FROM site_modules sm
           WHERE sm.current_version_id = module_versions.id AND sm.removed_at IS NULL) AS site_count
