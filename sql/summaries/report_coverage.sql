-- Sites whose Drupal core security coverage has ended or ends with the next
-- minor (partial index ix_site_projects_coverage), ended first, and how many
-- there are. One row of NULLs when there is none, so the total is always there.
WITH uncovered AS (
    SELECT sp.site_id, sp.version, sp.security_coverage
    FROM site_projects sp
    WHERE sp.removed_at IS NULL AND sp.security_coverage ->> 'state' IN ('ended', 'ending_soon')
)
SELECT (SELECT count(*) FROM uncovered) AS total, top.*
FROM (SELECT 1) AS one
LEFT JOIN LATERAL (
    SELECT s.id AS site_id, s.name AS site_name, s.url AS site_url, u.version AS core_version,
           u.security_coverage ->> 'state' AS state, u.security_coverage ->> 'until_version' AS until_version,
           (u.security_coverage ->> 'until_date')::date AS until_date,
           (u.security_coverage ->> 'additional_minors')::int AS additional_minors
    FROM uncovered u
    JOIN sites s ON s.id = u.site_id
    ORDER BY u.security_coverage ->> 'state' = 'ending_soon', s.id
    LIMIT %(coverage_limit)s
) AS top ON true
ORDER BY top.state = 'ending_soon', top.site_id
