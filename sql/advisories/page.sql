-- A page of OSV advisories, newest first, each with the sites and projects it
-- affects (from advisory_exposures, kept by the status step), and the total
-- over all pages. Filters (NULL: none): a project the advisory names, published
-- at or after `since`, and only those affecting a site. One row of NULLs past
-- the last page, so the total is always there. The exposures are counted for
-- the page's advisories only: `affecting` needs just whether there is one.
WITH matching AS MATERIALIZED (
    SELECT a.id, a.aliases, a.summary, a.url, a.published, a.modified, a.withdrawn
    FROM osv_advisories a
    WHERE (%(project)s::text IS NULL
           OR EXISTS (SELECT FROM osv_ranges r WHERE r.advisory_id = a.id AND r.project = %(project)s::text))
      AND (%(since)s::timestamptz IS NULL OR a.published >= %(since)s::timestamptz)
      AND (NOT %(affecting)s::boolean OR EXISTS (SELECT FROM advisory_exposures e WHERE e.advisory_id = a.id))
)
SELECT counted.total, page.id, page.aliases, page.summary, page.url, page.published, page.modified,
       page.withdrawn, page.projects, coalesce(exposed.sites, 0) AS affected_sites,
       coalesce(exposed.projects, 0) AS affected_projects
FROM (SELECT count(*) AS total FROM matching) AS counted
LEFT JOIN LATERAL (
    SELECT m.*, ARRAY(SELECT DISTINCT r.project FROM osv_ranges r WHERE r.advisory_id = m.id ORDER BY 1)
               AS projects
    FROM matching m
    ORDER BY m.published DESC NULLS LAST, m.id DESC
    LIMIT %(limit)s OFFSET %(offset)s
) AS page ON true
LEFT JOIN LATERAL (
    SELECT count(DISTINCT e.site_id) AS sites, count(DISTINCT e.project) AS projects
    FROM advisory_exposures e WHERE e.advisory_id = page.id
) AS exposed ON true
ORDER BY page.published DESC NULLS LAST, page.id DESC
