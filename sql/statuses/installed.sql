-- Site modules of the given sites (all sites when site_ids is null) and of the
-- given projects (all when null: an advisories change recomputes only its projects), removed
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
       CASE WHEN sm.advisories <> '[]'::jsonb THEN (
           -- each item in the text form the status step computes (transforms/advisories.py): an OSV
           -- item's fields joined by the record separator, a metapackage item only its constraint
           SELECT string_agg(
                      CASE WHEN item ->> 'id' IS NULL THEN item ->> 'constraint'
                           ELSE concat_ws(E'\x1e', item ->> 'id',
                                          coalesce((SELECT string_agg(alias, ',' ORDER BY alias_position)
                                                    FROM jsonb_array_elements_text(item -> 'aliases')
                                                         WITH ORDINALITY AS aliases (alias, alias_position)), ''),
                                          coalesce(item ->> 'url', ''), coalesce(item ->> 'summary', ''),
                                          coalesce(item ->> 'fixed_in', ''), coalesce(item ->> 'constraint', ''))
                      END, E'\x1f' ORDER BY position)
           FROM jsonb_array_elements(sm.advisories) WITH ORDINALITY AS items (item, position))
       END AS stored_advisories
FROM site_modules sm
WHERE (%(site_ids)s::bigint[] IS NULL OR sm.site_id = ANY(%(site_ids)s::bigint[]))
  AND (%(projects)s::text[] IS NULL OR sm.project = ANY(%(projects)s::text[]))
