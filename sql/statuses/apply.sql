-- Write computed statuses back. The stage holds only the rows whose status
-- changed (the pipeline compares them with the stored ones it read), so every
-- staged row is written.
UPDATE site_modules sm
SET status = st.status,
    status_reason = st.status_reason,
    recommended_version = st.recommended_version,
    also_available = st.also_available,
    security_updates = st.security_updates,
    update_available = st.update_available,
    security_update_available = st.security_update_available,
    known_vulnerable = st.known_vulnerable,
    advisories = (
        -- the text form of each item (transforms/advisories.py) back to an object: an OSV item's
        -- fields joined by the record separator, a metapackage item only its constraint
        SELECT coalesce(jsonb_agg(
                   CASE WHEN strpos(item, E'\x1e') = 0 THEN
                       jsonb_build_object('id', NULL, 'aliases', '[]'::jsonb, 'url', NULL, 'summary', NULL,
                                          'fixed_in', NULL, 'constraint', item)
                   ELSE jsonb_build_object(
                       'id', split_part(item, E'\x1e', 1),
                       'aliases', to_jsonb(coalesce(string_to_array(nullif(split_part(item, E'\x1e', 2), ''), ','),
                                                    '{}'::text[])),
                       'url', nullif(split_part(item, E'\x1e', 3), ''),
                       'summary', nullif(split_part(item, E'\x1e', 4), ''),
                       'fixed_in', nullif(split_part(item, E'\x1e', 5), ''),
                       'constraint', nullif(split_part(item, E'\x1e', 6), ''))
                   END ORDER BY position), '[]'::jsonb)
        FROM unnest(st.advisories) WITH ORDINALITY AS items (item, position)),
    latest_version_id = v.id,
    status_checked_at = now()
FROM stage_status st
LEFT JOIN module_versions v ON v.module_id = st.module_id AND v.version_string = st.latest_version
WHERE sm.id = st.site_module_id
