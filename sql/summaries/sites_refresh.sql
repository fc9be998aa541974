-- The security summary rows of the given sites, recounted from their projects
-- `in_trouble` (the generated column that defines trouble once) and the
-- present modules those include. Upserted for the sites in trouble, deleted
-- for those no longer in it.
WITH fresh AS (
    SELECT sp.site_id,
           count(*) FILTER (WHERE sp.status = 'NOT_SECURE') AS not_secure,
           count(*) FILTER (WHERE sp.status = 'REVOKED') AS revoked,
           count(*) FILTER (WHERE sp.known_vulnerable) AS known_vulnerable,
           count(*) AS affected_projects,
           sum(sp.modules) AS affected_modules
    FROM site_projects sp
    WHERE sp.site_id = ANY(%(site_ids)s::bigint[])
      AND sp.in_trouble
    GROUP BY sp.site_id
), cleared AS (
    DELETE FROM site_security_summary s
    WHERE s.site_id = ANY(%(site_ids)s::bigint[])
      AND NOT EXISTS (SELECT FROM fresh WHERE fresh.site_id = s.site_id)
)
INSERT INTO site_security_summary AS s
    (site_id, not_secure, revoked, known_vulnerable, affected_projects, affected_modules, refreshed_at)
SELECT site_id, not_secure, revoked, known_vulnerable, affected_projects, affected_modules, now()
FROM fresh
ON CONFLICT (site_id) DO UPDATE
SET not_secure = excluded.not_secure,
    revoked = excluded.revoked,
    known_vulnerable = excluded.known_vulnerable,
    affected_projects = excluded.affected_projects,
    affected_modules = excluded.affected_modules,
    refreshed_at = excluded.refreshed_at
