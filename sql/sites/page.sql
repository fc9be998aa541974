-- One page of sites with the counts of their present modules, plus the total;
-- a page past the end still reports the total. %(sort)s is one of the values
-- intake.schemas.sites.SiteSort whitelists: every CASE but the chosen one is
-- NULL, and the id breaks ties so that pages never overlap.
WITH security AS (
    -- Needed only to sort by it, and then for every site at once: the
    -- projects with a security update (Drupal's unit), from the narrow site_projects.
    SELECT site_id, count(*) AS security_updates
    FROM site_projects
    WHERE %(sort)s IN ('security_updates', '-security_updates')
      AND removed_at IS NULL AND security_update_available
    GROUP BY site_id
),
page AS (
    SELECT s.id, s.name, s.url, s.created_at, s.last_sync_at, s.core_version,
           row_number() OVER (ORDER BY
               CASE WHEN %(sort)s = 'name' THEN lower(s.name) END ASC,
               CASE WHEN %(sort)s = '-name' THEN lower(s.name) END DESC,
               CASE WHEN %(sort)s = 'last_sync_at' THEN s.last_sync_at END ASC NULLS FIRST,
               CASE WHEN %(sort)s = '-last_sync_at' THEN s.last_sync_at END DESC NULLS LAST,
               CASE WHEN %(sort)s = 'security_updates' THEN coalesce(sec.security_updates, 0) END ASC,
               CASE WHEN %(sort)s = '-security_updates' THEN coalesce(sec.security_updates, 0) END DESC,
               CASE WHEN %(sort)s LIKE '-%%' THEN s.id END DESC,
               s.id ASC) AS position
    FROM sites s
    LEFT JOIN security sec ON sec.site_id = s.id
    ORDER BY position
    LIMIT %(limit)s OFFSET %(offset)s
)
SELECT counted.total, page.id, page.name, page.url, page.created_at, page.last_sync_at, page.core_version,
       coalesce(page.last_sync_at, page.created_at)
           < now() - make_interval(hours => %(stale_after_hours)s::int) AS stale,
       counts.modules, counts.updates_available, counts.security_updates, counts.known_vulnerable,
       counts.projects, counts.projects_updates_available, counts.projects_security_updates,
       counts.projects_known_vulnerable, counts.projects_in_trouble
FROM (SELECT count(*) AS total FROM sites) AS counted
LEFT JOIN page ON true
LEFT JOIN LATERAL site_module_counts(page.id) AS counts ON true
ORDER BY page.position
