-- Site modules of the given sites (all sites when site_ids is null), removed
-- ones included so a row's status never depends on when it was removed.
-- Ids only for the site and the versions (sites.sql and versions.sql
-- name them, once each), and the stored status, arrays joined by the unit
-- separator (a form Polars rebuilds from its lists), so that only rows whose
-- status changes are written back.
SELECT sm.id AS site_module_id, sm.site_id, sm.module_id, sm.project, sm.current_version_id,
       sm.datestamp, sm.module_type, sm.latest_version_id AS stored_latest_version_id,
       sm.status AS stored_status, sm.status_reason AS stored_status_reason,
       sm.recommended_version AS stored_recommended_version,
       array_to_string(sm.also_available, E'\x1f') AS stored_also_available,
       array_to_string(sm.security_updates, E'\x1f') AS stored_security_updates,
       sm.update_available AS stored_update_available,
       sm.security_update_available AS stored_security_update_available,
       sm.known_vulnerable AS stored_known_vulnerable,
       array_to_string(sm.advisories, E'\x1f') AS stored_advisories
FROM site_modules sm
WHERE (%(site_ids)s::bigint[] IS NULL OR sm.site_id = ANY(%(site_ids)s::bigint[]))
