-- A page of the sites an advisory affects (all, or only `only_site_id`),
-- with the installed version, the fix and the project's recommended release
-- on that site, and the total. One row of NULLs past the last page.
WITH matching AS MATERIALIZED (
    SELECT e.site_id, e.project, e.installed_version, e.fixed_in, e.constraint_text
    FROM advisory_exposures e
    WHERE e.advisory_id = %(advisory_id)s
      AND (%(only_site_id)s::bigint IS NULL OR e.site_id = %(only_site_id)s::bigint)
)
SELECT counted.total, page.site_id, s.name AS site_name, s.url AS site_url, page.project,
       page.installed_version, page.fixed_in, page.constraint_text, sp.status, sp.recommended_version
FROM (SELECT count(*) AS total FROM matching) AS counted
LEFT JOIN LATERAL (
    SELECT * FROM matching ORDER BY site_id, project LIMIT %(limit)s OFFSET %(offset)s
) AS page ON true
LEFT JOIN sites s ON s.id = page.site_id
LEFT JOIN site_projects sp ON sp.site_id = page.site_id AND sp.project = page.project
ORDER BY page.site_id, page.project
