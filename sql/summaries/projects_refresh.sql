-- The security summary rows of every project the given sites have, present or
-- removed (a removal by a full sync can end a project's trouble), and of the
-- given projects (those a deleted site had), recounted over the whole
-- portfolio from the partial index ix_site_projects_trouble, which holds only
-- the rows in trouble. Upserted for the projects in trouble somewhere, deleted
-- for those in trouble nowhere (also a project whose last row a deletion took).
WITH touched AS (
    SELECT project
    FROM site_projects
    WHERE site_id = ANY(%(site_ids)s::bigint[])
    UNION
    SELECT unnest(%(projects)s::text[])
), fresh AS (
    SELECT sp.project,
           count(*) AS affected_sites,
           count(*) FILTER (WHERE sp.status = 'NOT_SECURE') AS not_secure_sites,
           count(*) FILTER (WHERE sp.status = 'REVOKED') AS revoked_sites,
           count(*) FILTER (WHERE sp.known_vulnerable) AS known_vulnerable_sites
    FROM touched
    JOIN site_projects sp ON sp.project = touched.project
    WHERE sp.in_trouble
    GROUP BY sp.project
), cleared AS (
    DELETE FROM project_security_summary s
    WHERE NOT EXISTS (SELECT FROM fresh WHERE fresh.project = s.project)
      AND (s.project IN (SELECT project FROM touched)
           OR NOT EXISTS (SELECT FROM site_projects sp WHERE sp.project = s.project AND sp.in_trouble))
)
INSERT INTO project_security_summary AS s
    (project, affected_sites, not_secure_sites, revoked_sites, known_vulnerable_sites, refreshed_at)
SELECT project, affected_sites, not_secure_sites, revoked_sites, known_vulnerable_sites, now()
FROM fresh
ON CONFLICT (project) DO UPDATE
SET affected_sites = excluded.affected_sites,
    not_secure_sites = excluded.not_secure_sites,
    revoked_sites = excluded.revoked_sites,
    known_vulnerable_sites = excluded.known_vulnerable_sites,
    refreshed_at = excluded.refreshed_at
