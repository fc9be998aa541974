-- A page of one site's modules in machine-name order, the total over all
-- pages, and who may read it: whether the site exists and which site the
-- caller's token belongs to (NULL for an unknown token or the admin). One
-- round trip; the site's rows come from the (site_id, module_id) unique index.
-- A module's status is its project's on the site (site_projects, by primary
-- key). A NULL filter parameter means "no filter".
WITH matching AS MATERIALIZED (
    SELECT sm.module_id, m.machine_name, m.display_name, sm.project, sm.module_type, sm.enabled,
           sm.current_version_id, coalesce(sp.status, 'NOT_CHECKED') AS status, sp.status_reason,
           sp.latest_version, sp.recommended_version, coalesce(sp.also_available, '{}') AS also_available,
           coalesce(sp.security_updates, '{}') AS security_updates,
           coalesce(sp.update_available, false) AS update_available,
           coalesce(sp.security_update_available, false) AS security_update_available,
           coalesce(sp.known_vulnerable, false) AS known_vulnerable,
           coalesce(sp.advisories, '[]'::jsonb) AS advisories,
           sm.first_seen, sm.last_seen, sm.last_updated, sm.removed_at
    FROM site_modules sm
    JOIN modules m ON m.id = sm.module_id
    -- a project not looked at yet has no row: its modules are NOT_CHECKED
    LEFT JOIN site_projects sp ON sp.site_id = sm.site_id AND sp.project = sm.project
    WHERE sm.site_id = %(site_id)s
      AND (%(include_removed)s::boolean OR sm.removed_at IS NULL)
      AND (%(statuses)s::text[] IS NULL OR coalesce(sp.status, 'NOT_CHECKED') = ANY (%(statuses)s::text[]))
      AND (%(update_available)s::boolean IS NULL
           OR coalesce(sp.update_available, false) = %(update_available)s::boolean)
      AND (%(security_update)s::boolean IS NULL
           OR coalesce(sp.security_update_available, false) = %(security_update)s::boolean)
      AND (%(known_vulnerable)s::boolean IS NULL
           OR coalesce(sp.known_vulnerable, false) = %(known_vulnerable)s::boolean)
      AND (%(module_type)s::text IS NULL OR sm.module_type = %(module_type)s::text)
)
SELECT access.site_exists, access.token_site_id, counted.total,
       page.machine_name, page.project, page.display_name, page.module_type, page.enabled,
       current_version.version_string AS version, page.status, page.status_reason,
       page.latest_version, page.recommended_version, page.also_available,
       page.security_updates, page.update_available, page.security_update_available, page.known_vulnerable,
       page.advisories, page.first_seen,
       -- a full sync dates every module still present (sites.last_full_sync_at, migration 0002)
       CASE WHEN page.removed_at IS NULL THEN greatest(page.last_seen, access.last_full_sync_at)
            ELSE page.last_seen END AS last_seen,
       page.last_updated, page.removed_at
FROM (
    SELECT site.id IS NOT NULL AS site_exists, site.last_full_sync_at,
           (SELECT id FROM sites WHERE token_hash = %(token_hash)s) AS token_site_id
    FROM (SELECT 1) AS one
    LEFT JOIN sites AS site ON site.id = %(site_id)s
) AS access
CROSS JOIN (SELECT count(*) AS total FROM matching) AS counted
LEFT JOIN LATERAL (
    SELECT * FROM matching ORDER BY machine_name LIMIT %(limit)s OFFSET %(offset)s
) AS page ON true
LEFT JOIN module_versions current_version ON current_version.id = page.current_version_id
ORDER BY page.machine_name
