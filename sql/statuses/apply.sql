-- Write computed statuses back, one row per site and project. The stage holds
-- only the rows whose status changed or that are new (the pipeline compares
-- them with the stored ones it read), so every staged row is written.
INSERT INTO site_projects AS sp (
    site_id, project, version, datestamp, modules, removed_at, status, status_reason, latest_version,
    recommended_version, also_available, security_updates, update_available, security_update_available,
    known_vulnerable, advisories, security_coverage, status_checked_at)
SELECT st.site_id, st.project, st.version, st.datestamp, st.modules, st.removed_at, st.status, st.status_reason,
       st.latest_version, st.recommended_version, st.also_available, st.security_updates, st.update_available,
       st.security_update_available, st.known_vulnerable,
       CASE WHEN cardinality(st.advisories) = 0 THEN '[]'::jsonb ELSE (
           -- the text form of each item (transforms/advisories.py) back to an object: an OSV item's
           -- fields joined by the record separator, a metapackage item only its constraint
           SELECT jsonb_agg(
                      CASE WHEN strpos(item, E'\x1e') = 0 THEN
                          jsonb_build_object('id', NULL, 'aliases', '[]'::jsonb, 'url', NULL, 'summary', NULL,
                                             'fixed_in', NULL, 'constraint', item)
                      ELSE jsonb_build_object(
                          'id', split_part(item, E'\x1e', 1),
                          'aliases', to_jsonb(coalesce(
                              string_to_array(nullif(split_part(item, E'\x1e', 2), ''), ','), '{}'::text[])),
                          'url', nullif(split_part(item, E'\x1e', 3), ''),
                          'summary', nullif(split_part(item, E'\x1e', 4), ''),
                          'fixed_in', nullif(split_part(item, E'\x1e', 5), ''),
                          'constraint', nullif(split_part(item, E'\x1e', 6), ''))
                      END ORDER BY position)
           FROM unnest(st.advisories) WITH ORDINALITY AS items (item, position)) END,
       -- core only: until a version or until a date, how many minors are left, and the state
       CASE WHEN st.coverage_state IS NOT NULL THEN jsonb_strip_nulls(jsonb_build_object(
           'until_version', st.coverage_until_version, 'until_date', st.coverage_until_date,
           'additional_minors', st.coverage_additional_minors, 'state', st.coverage_state)) END,
       now()
FROM stage_status st
ON CONFLICT (site_id, project) DO UPDATE
SET version = excluded.version,
    datestamp = excluded.datestamp,
    modules = excluded.modules,
    removed_at = excluded.removed_at,
    status = excluded.status,
    status_reason = excluded.status_reason,
    latest_version = excluded.latest_version,
    recommended_version = excluded.recommended_version,
    also_available = excluded.also_available,
    security_updates = excluded.security_updates,
    update_available = excluded.update_available,
    security_update_available = excluded.security_update_available,
    known_vulnerable = excluded.known_vulnerable,
    advisories = excluded.advisories,
    security_coverage = excluded.security_coverage,
    status_checked_at = excluded.status_checked_at
