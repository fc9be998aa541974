-- A page of one site's projects (Drupal's unit of update status) in name
-- order, the total over all pages, and who may read it: whether the site
-- exists and which site the caller's token belongs to (NULL for an unknown
-- token or the admin). Each project with the modules it includes, its title
-- and link from the feed the site reads, and the release page of every
-- version it offers. A NULL filter parameter means "no filter".
WITH site AS (
    SELECT s.id, CASE WHEN split_part(s.core_version, '.', 1) = '7' THEN '7.x' ELSE 'current' END AS feed_api
    FROM sites s WHERE s.id = %(site_id)s
), matching AS MATERIALIZED (
    SELECT sp.*
    FROM site_projects sp
    WHERE sp.site_id = %(site_id)s
      AND (%(include_removed)s::boolean OR sp.removed_at IS NULL)
      AND (%(statuses)s::text[] IS NULL OR sp.status = ANY (%(statuses)s::text[]))
      AND (%(update_available)s::boolean IS NULL OR sp.update_available = %(update_available)s::boolean)
      AND (%(security_update)s::boolean IS NULL
           OR sp.security_update_available = %(security_update)s::boolean)
      AND (%(known_vulnerable)s::boolean IS NULL OR sp.known_vulnerable = %(known_vulnerable)s::boolean)
)
SELECT access.site_exists, access.token_site_id, counted.total,
       page.project, feed.title, feed.link, page.version, page.datestamp,
       ARRAY(SELECT m.machine_name FROM site_modules sm JOIN modules m ON m.id = sm.module_id
             WHERE sm.site_id = page.site_id AND sm.project = page.project
               AND (sm.removed_at IS NULL OR page.removed_at IS NOT NULL)
             ORDER BY m.machine_name) AS modules,
       page.status, page.status_reason, page.latest_version, page.recommended_version, page.also_available,
       page.security_updates, page.update_available, page.security_update_available, page.known_vulnerable,
       page.advisories, page.security_coverage,
       (SELECT coalesce(jsonb_object_agg(r.version, r.release_link), '{}'::jsonb)
        FROM releases r
        WHERE r.project_id = feed.id AND r.release_link IS NOT NULL
          AND r.version = ANY (ARRAY[page.latest_version, page.recommended_version]
                               || page.also_available || page.security_updates)) AS release_links,
       page.removed_at, page.status_checked_at
FROM (
    SELECT site.id IS NOT NULL AS site_exists,
           (SELECT id FROM sites WHERE token_hash = %(token_hash)s) AS token_site_id
    FROM (SELECT 1) AS one
    LEFT JOIN site ON true
) AS access
CROSS JOIN (SELECT count(*) AS total FROM matching) AS counted
LEFT JOIN LATERAL (
    SELECT * FROM matching ORDER BY project LIMIT %(limit)s OFFSET %(offset)s
) AS page ON true
LEFT JOIN site ON true
LEFT JOIN projects feed ON feed.name = page.project AND feed.feed_api = site.feed_api
ORDER BY page.project
