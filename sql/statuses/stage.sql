CREATE TEMP TABLE stage_status (
    site_id                     bigint NOT NULL,
    project                     text NOT NULL,
    version                     text,
    datestamp                   bigint,
    modules                     integer NOT NULL,
    removed_at                  timestamptz,
    status                      text NOT NULL,
    status_reason               text,
    latest_version              text,
    recommended_version         text,
    also_available              text[] NOT NULL,
    security_updates            text[] NOT NULL,
    update_available            boolean NOT NULL,
    security_update_available   boolean NOT NULL,
    known_vulnerable            boolean NOT NULL,
    advisories                  text[] NOT NULL,
    coverage_until_version      text,
    coverage_until_date         date,
    coverage_additional_minors  bigint,
    coverage_state              text
) ON COMMIT DROP;
-- The staged statuses as site_projects stores them: the advisories' text form
-- back to objects, core's coverage as one object. Both writes read it: the
-- insert-or-update of a few rows and the rebuild of the whole table.
CREATE TEMP VIEW staged_projects AS
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
           FROM unnest(st.advisories) WITH ORDINALITY AS items (item, position)) END AS advisories,
       -- core only: until a version or until a date, how many minors are left, and the state
       CASE WHEN st.coverage_state IS NOT NULL THEN jsonb_strip_nulls(jsonb_build_object(
           'until_version', st.coverage_until_version, 'until_date', st.coverage_until_date,
           'additional_minors', st.coverage_additional_minors, 'state', st.coverage_state)) END
           AS security_coverage,
       now() AS status_checked_at
FROM stage_status st
