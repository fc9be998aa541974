-- Delete a site. Landing payloads, site modules, their events and the site's
-- security summary go with it (ON DELETE CASCADE); the security summaries of
-- its modules are recomputed here, in the same statement, without its rows.
-- Every part of the statement sees the table as it was before the delete, so
-- the counts leave the site out explicitly.
WITH its_modules AS (
    SELECT DISTINCT module_id
    FROM site_modules
    WHERE site_id = %(site_id)s
), fresh AS (
    SELECT sm.module_id,
           count(*) AS affected_sites,
           count(*) FILTER (WHERE sm.status = 'NOT_SECURE') AS not_secure_sites,
           count(*) FILTER (WHERE sm.status = 'REVOKED') AS revoked_sites,
           count(*) FILTER (WHERE sm.known_vulnerable) AS known_vulnerable_sites
    FROM its_modules
    JOIN site_modules sm ON sm.module_id = its_modules.module_id
    WHERE sm.site_id <> %(site_id)s
      AND sm.removed_at IS NULL AND (sm.status IN ('NOT_SECURE', 'REVOKED') OR sm.known_vulnerable)
    GROUP BY sm.module_id
), cleared AS (
    DELETE FROM module_security_summary s
    USING its_modules
    WHERE s.module_id = its_modules.module_id
      AND NOT EXISTS (SELECT FROM fresh WHERE fresh.module_id = s.module_id)
), refreshed AS (
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
), deleted AS (
    DELETE FROM sites
    WHERE id = %(site_id)s
    RETURNING id, name, url
)
SELECT id, name, url FROM deleted
