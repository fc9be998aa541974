-- A page of the sites in trouble — with a present module that is NOT_SECURE,
-- REVOKED or known-vulnerable — by site id, each with its affected modules (one
-- row per site module), and the number of such sites. Every predicate repeats
-- the partial index ix_site_modules_insecure's, so only its rows are read:
-- the few in trouble, not the portfolio.
WITH page AS MATERIALIZED (
    -- One pass over the index gives the page and the count, however deep the
    -- page: counting apart would read the index a second time.
    SELECT site_id, count(*) OVER () AS total
    FROM (
        SELECT DISTINCT site_id
        FROM site_modules
        WHERE removed_at IS NULL AND (status IN ('NOT_SECURE', 'REVOKED') OR known_vulnerable)
    ) AS affected
    ORDER BY site_id
    LIMIT %(limit)s OFFSET %(offset)s
)
SELECT coalesce(
           (SELECT max(total) FROM page),
           -- only past the last page, where no row carries the count
           (SELECT count(*) FROM (
                SELECT DISTINCT site_id
                FROM site_modules
                WHERE removed_at IS NULL AND (status IN ('NOT_SECURE', 'REVOKED') OR known_vulnerable)
            ) AS affected)) AS total,
       s.id AS site_id, s.name AS site_name, s.url AS site_url, s.last_sync_at,
       m.machine_name, m.display_name, sm.project, v.version_string AS version, sm.status, sm.status_reason,
       sm.recommended_version, sm.security_updates, sm.known_vulnerable, sm.advisories
FROM (SELECT 1) AS one
LEFT JOIN page ON true
LEFT JOIN sites s ON s.id = page.site_id
LEFT JOIN site_modules sm ON sm.site_id = page.site_id
    AND sm.removed_at IS NULL AND (sm.status IN ('NOT_SECURE', 'REVOKED') OR sm.known_vulnerable)
LEFT JOIN modules m ON m.id = sm.module_id
LEFT JOIN module_versions v ON v.id = sm.current_version_id
ORDER BY s.id, m.machine_name
