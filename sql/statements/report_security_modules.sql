-- Every module in trouble on some site, with the number of sites affected,
-- most affected first. Counted in module order, index-only, on the partial
-- ix_site_modules_insecure_module, which holds only the rows in trouble.
SELECT m.machine_name, m.display_name, m.project, m.module_type, affected.sites AS affected_sites
FROM (
    SELECT module_id, count(*) AS sites
    FROM site_modules
    WHERE removed_at IS NULL AND (status IN ('NOT_SECURE', 'REVOKED') OR known_vulnerable)
    GROUP BY module_id
) AS affected
JOIN modules m ON m.id = affected.module_id
ORDER BY affected.sites DESC, m.machine_name
