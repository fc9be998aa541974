-- A page of the sites in trouble, by site id, with their counts, read from
-- site_security_summary (kept by the pipeline: orchestration/status.py), and
-- the number of such sites. One row of NULLs past the last page, so the total
-- is always there.
SELECT (SELECT count(*) FROM site_security_summary) AS total,
       s.id AS site_id, s.name AS site_name, s.url AS site_url, s.last_sync_at,
       page.not_secure, page.revoked, page.known_vulnerable, page.affected_projects, page.affected_modules,
       -- the OSV advisories affecting the site (advisory_exposures, kept with the summaries)
       CASE WHEN page.site_id IS NOT NULL THEN
           ARRAY(SELECT DISTINCT e.advisory_id FROM advisory_exposures e WHERE e.site_id = page.site_id ORDER BY 1)
       END AS advisories
FROM (SELECT 1) AS one
LEFT JOIN LATERAL (
    SELECT site_id, not_secure, revoked, known_vulnerable, affected_projects, affected_modules
    FROM site_security_summary
    ORDER BY site_id
    LIMIT %(limit)s OFFSET %(offset)s
) AS page ON true
LEFT JOIN sites s ON s.id = page.site_id
ORDER BY page.site_id
