-- A page of one module's versions, newest first (unparsable versions last),
-- with the number of sites on each, and the total. `module_id` is NULL when
-- there is no such module. A version the status step added as a feed's
-- latest release has no sort key of its own: its release's key orders it.
SELECT m.id AS module_id, counted.total, page.version_string AS version, page.is_security_update,
       page.release_date, page.release_notes_link, page.created_at, coalesce(usage.site_count, 0) AS site_count
FROM (SELECT 1) AS one
LEFT JOIN modules m ON m.machine_name = %(machine_name)s
LEFT JOIN LATERAL (SELECT count(*) AS total FROM module_versions v WHERE v.module_id = m.id) AS counted ON true
LEFT JOIN LATERAL (
    SELECT v.id, v.version_string, v.is_security_update, v.release_date, v.release_notes_link, v.created_at,
           coalesce(v.sort_key, (
               SELECT max(r.sort_key) FROM releases r JOIN projects p ON p.id = r.project_id
               WHERE p.name = m.project AND r.version = v.version_string)) AS sort_key
    FROM module_versions v
    WHERE v.module_id = m.id
    ORDER BY sort_key DESC NULLS LAST, v.version_string DESC
    LIMIT %(limit)s OFFSET %(offset)s
) AS page ON true
LEFT JOIN (
    -- every version's count in one pass over the module's present rows
    SELECT sm.current_version_id, count(*) AS site_count
    FROM site_modules sm
    WHERE sm.module_id = (SELECT id FROM modules WHERE machine_name = %(machine_name)s) AND sm.removed_at IS NULL
    GROUP BY sm.current_version_id
) AS usage ON usage.current_version_id = page.id
ORDER BY page.sort_key DESC NULLS LAST, page.version_string DESC
