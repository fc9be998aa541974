-- A page of the sites with one module installed, by site id, with the total.
-- `module_id` is NULL when there is no such module.
SELECT m.id AS module_id, counted.total, page.site_id, s.name AS site_name, s.url AS site_url,
       v.version_string AS version, page.enabled, sp.status, sp.known_vulnerable, page.removed_at
FROM (SELECT 1) AS one
LEFT JOIN modules m ON m.machine_name = %(machine_name)s
LEFT JOIN LATERAL (
    -- as in page.sql: the tally kept as site modules come and go
    SELECT coalesce(sum(tally.sites), 0)::bigint AS total FROM module_site_tally tally WHERE tally.module_id = m.id
) AS counted ON true
LEFT JOIN LATERAL (
    SELECT sm.site_id, sm.project, sm.current_version_id, sm.enabled, sm.removed_at
    FROM site_modules sm
    WHERE sm.module_id = m.id AND sm.removed_at IS NULL
    ORDER BY sm.site_id
    LIMIT %(limit)s OFFSET %(offset)s
) AS page ON true
LEFT JOIN sites s ON s.id = page.site_id
-- a module's status is its project's on the site
LEFT JOIN site_projects sp ON sp.site_id = page.site_id AND sp.project = page.project
LEFT JOIN module_versions v ON v.id = page.current_version_id
ORDER BY page.site_id
