-- The stored status of each project of the given sites and projects (every one
-- when NULL), arrays joined by the unit separator (a form Polars rebuilds from
-- its lists), so that only the rows whose status changes are written back, and
-- when each was checked (kept by a rebuild for the rows that did not change).
SELECT sp.site_id, sp.project, sp.version AS stored_version, sp.datestamp AS stored_datestamp,
       sp.modules AS stored_modules, sp.removed_at AS stored_removed_at,
       sp.status AS stored_status, sp.status_reason AS stored_status_reason,
       sp.latest_version AS stored_latest_version, sp.recommended_version AS stored_recommended_version,
       array_to_string(sp.also_available, E'\x1f') AS stored_also_available,
       array_to_string(sp.security_updates, E'\x1f') AS stored_security_updates,
       sp.update_available AS stored_update_available,
       sp.security_update_available AS stored_security_update_available,
       sp.known_vulnerable AS stored_known_vulnerable,
       CASE WHEN sp.advisories <> '[]'::jsonb THEN (
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
           FROM jsonb_array_elements(sp.advisories) WITH ORDINALITY AS items (item, position))
       END AS stored_advisories,
       sp.security_coverage ->> 'until_version' AS stored_coverage_until_version,
       (sp.security_coverage ->> 'until_date')::date AS stored_coverage_until_date,
       (sp.security_coverage ->> 'additional_minors')::bigint AS stored_coverage_additional_minors,
       sp.security_coverage ->> 'state' AS stored_coverage_state,
       sp.status_checked_at AS stored_checked_at
FROM site_projects sp
WHERE (%(site_ids)s::bigint[] IS NULL OR sp.site_id = ANY(%(site_ids)s::bigint[]))
  AND (%(projects)s::text[] IS NULL OR sp.project = ANY(%(projects)s::text[]))
