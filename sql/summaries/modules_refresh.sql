-- The security summary rows of every module the given sites have, present or
-- removed (a removal by a full sync can end a module's trouble), and of the
-- given modules (those a deleted site had), recomputed over the whole portfolio
-- from the partial index ix_site_modules_insecure_module, which holds only the
-- rows in trouble. Upserted for the modules in trouble somewhere, deleted for
-- those in trouble nowhere.
WITH touched AS (
    SELECT module_id
    FROM site_modules
    WHERE site_id = ANY(%(site_ids)s::bigint[])
    UNION
    SELECT unnest(%(module_ids)s::bigint[])
), fresh AS (
    SELECT sm.module_id,
           count(*) AS affected_sites,
           count(*) FILTER (WHERE sm.status = 'NOT_SECURE') AS not_secure_sites,
           count(*) FILTER (WHERE sm.status = 'REVOKED') AS revoked_sites,
           count(*) FILTER (WHERE sm.known_vulnerable) AS known_vulnerable_sites
    FROM touched
    JOIN site_modules sm ON sm.module_id = touched.module_id
    WHERE sm.in_trouble
    GROUP BY sm.module_id
), cleared AS (
    DELETE FROM module_security_summary s
    USING touched
    WHERE s.module_id = touched.module_id
      AND NOT EXISTS (SELECT FROM fresh WHERE fresh.module_id = s.module_id)
)
INSERT INTO module_security_summary AS s
    (module_id, affected_sites, not_secure_sites, revoked_sites, known_vulnerable_sites, refreshed_at)
SELECT module_id, affected_sites, not_secure_sites, revoked_sites, known_vulnerable_sites, now()
FROM fresh
ON CONFLICT (module_id) DO UPDATE
SET affected_sites = excluded.affected_sites,
    not_secure_sites = excluded.not_secure_sites,
    revoked_sites = excluded.revoked_sites,
    known_vulnerable_sites = excluded.known_vulnerable_sites,
    refreshed_at = excluded.refreshed_at
