-- One project for its page: its drupal.org title and link (either feed),
-- its supported branches, and how many sites run it in each status (all
-- sites, or only `only_site_id`). No row when none of those sites has or had
-- it and drupal.org does not publish it: a site's token learns nothing of the
-- projects only other sites run (the pipeline asks drupal.org for every
-- project, custom ones too, so a feed row that is not 'ok' tells that some
-- site has it).
WITH on_sites AS (
    SELECT sp.status, sp.known_vulnerable, sp.update_available
    FROM site_projects sp
    WHERE sp.project = %(project)s AND sp.removed_at IS NULL
      AND (%(only_site_id)s::bigint IS NULL OR sp.site_id = %(only_site_id)s::bigint)
),
feeds AS (
    SELECT title, link, project_status, supported_branches, fetch_state, feed_api
    FROM projects WHERE name = %(project)s
)
SELECT %(project)s::text AS project,
       (SELECT title FROM feeds ORDER BY feed_api = 'current' DESC LIMIT 1) AS title,
       (SELECT link FROM feeds ORDER BY feed_api = 'current' DESC LIMIT 1) AS link,
       (SELECT project_status FROM feeds ORDER BY feed_api = 'current' DESC LIMIT 1) AS project_status,
       coalesce((SELECT supported_branches FROM feeds WHERE feed_api = 'current'), '{}') AS supported_branches,
       (SELECT count(*) FROM on_sites) AS sites,
       coalesce((SELECT jsonb_object_agg(status, n) FROM (SELECT status, count(*) AS n FROM on_sites GROUP BY status)
                 AS by_status), '{}'::jsonb) AS sites_by_status,
       (SELECT count(*) FROM on_sites WHERE known_vulnerable) AS known_vulnerable_sites,
       (SELECT count(*) FROM on_sites WHERE update_available) AS update_available_sites
WHERE EXISTS (SELECT FROM feeds WHERE fetch_state = 'ok')
   OR EXISTS (SELECT FROM site_projects sp
              WHERE sp.project = %(project)s
                AND (%(only_site_id)s::bigint IS NULL OR sp.site_id = %(only_site_id)s::bigint))
