-- A page of the sites without one module installed, by site id, with the
-- total; a site that had it and lost it in a full sync shows what it had.
-- `module_id` is NULL when there is no such module.
WITH using_sites AS MATERIALIZED (
    SELECT sm.site_id FROM site_modules sm
    WHERE sm.module_id = (SELECT id FROM modules WHERE machine_name = %(machine_name)s) AND sm.removed_at IS NULL
)
SELECT m.id AS module_id, counted.total, page.id AS site_id, page.name AS site_name, page.url AS site_url,
       v.version_string AS version, removed.enabled, sp.status, sp.known_vulnerable, removed.removed_at
FROM (SELECT 1) AS one
LEFT JOIN modules m ON m.machine_name = %(machine_name)s
LEFT JOIN LATERAL (
    SELECT count(*) AS total FROM sites s WHERE m.id IS NOT NULL AND s.id NOT IN (SELECT site_id FROM using_sites)
) AS counted ON true
LEFT JOIN LATERAL (
    SELECT s.id, s.name, s.url FROM sites s
    WHERE m.id IS NOT NULL AND s.id NOT IN (SELECT site_id FROM using_sites)
    ORDER BY s.id
    LIMIT %(limit)s OFFSET %(offset)s
) AS page ON true
LEFT JOIN site_modules removed ON removed.site_id = page.id AND removed.module_id = m.id
LEFT JOIN module_versions v ON v.id = removed.current_version_id
-- a module's status is its project's on the site
LEFT JOIN site_projects sp ON sp.site_id = removed.site_id AND sp.project = removed.project
ORDER BY page.id
