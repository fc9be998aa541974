-- Sites whose Drupal core security coverage has ended or ends with the next
-- minor, ended first, and how many there are. One row of NULLs when there is
-- none, so the total is always there. Both read the covering partial index
-- ix_site_projects_coverage_report alone, in its order: the list stops after
-- its first rows, and the total counts index entries (no row of site_projects
-- visited, none sorted).
SELECT (SELECT count(*) FROM site_projects sp
        WHERE sp.removed_at IS NULL AND sp.security_coverage ->> 'state' IN ('ended', 'ending_soon')) AS total,
       top.*
FROM (SELECT 1) AS one
LEFT JOIN LATERAL (
    SELECT s.id AS site_id, s.name AS site_name, s.url AS site_url, u.version AS core_version,
           u.security_coverage ->> 'state' AS state, u.security_coverage ->> 'until_version' AS until_version,
           (u.security_coverage ->> 'until_date')::date AS until_date,
           (u.security_coverage ->> 'additional_minors')::int AS additional_minors
    FROM (
        -- every site project has its site (a foreign key): the first rows are the page's
        SELECT sp.site_id, sp.version, sp.security_coverage
        FROM site_projects sp
        WHERE sp.removed_at IS NULL AND sp.security_coverage ->> 'state' IN ('ended', 'ending_soon')
        ORDER BY (sp.security_coverage ->> 'state') = 'ending_soon', sp.site_id
        LIMIT %(coverage_limit)s
    ) AS u
    JOIN sites s ON s.id = u.site_id
) AS top ON true
ORDER BY top.state = 'ending_soon', top.site_id
