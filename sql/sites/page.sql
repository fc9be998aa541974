-- One page of sites with the counts of their present modules, plus the total;
-- a page past the end still reports the total. %(sort)s is one of the values
-- intake.schemas.sites.SiteSort whitelists. Each order has its own branch,
-- guarded by the sort it serves (the others plan to nothing), that walks an
-- index of sites only as far as the page (migration 0014 indexes the name and
-- the last sync): ranking every site first cost tens of milliseconds at ten
-- thousand sites. The id breaks ties so that pages never overlap. Only the
-- page's own sites are counted.
WITH security AS MATERIALIZED (
    -- Needed only to sort by it, and then for every site at once: the
    -- projects with a security update (Drupal's unit), from the narrow
    -- site_projects' partial index.
    SELECT site_id, count(*) AS security_updates
    FROM site_projects
    WHERE %(sort)s IN ('security_updates', '-security_updates')
      AND removed_at IS NULL AND security_update_available
    GROUP BY site_id
),
page AS (
    SELECT chosen.id, row_number() OVER (ORDER BY chosen.id) AS position
    FROM (SELECT s.id FROM sites s WHERE %(sort)s = 'id'
          ORDER BY s.id LIMIT %(limit)s OFFSET %(offset)s) AS chosen
    UNION ALL
    SELECT chosen.id, row_number() OVER (ORDER BY chosen.id DESC)
    FROM (SELECT s.id FROM sites s WHERE %(sort)s = '-id'
          ORDER BY s.id DESC LIMIT %(limit)s OFFSET %(offset)s) AS chosen
    UNION ALL
    SELECT chosen.id, row_number() OVER (ORDER BY chosen.key, chosen.id)
    FROM (SELECT s.id, lower(s.name) AS key FROM sites s WHERE %(sort)s = 'name'
          ORDER BY lower(s.name), s.id LIMIT %(limit)s OFFSET %(offset)s) AS chosen
    UNION ALL
    SELECT chosen.id, row_number() OVER (ORDER BY chosen.key DESC, chosen.id DESC)
    FROM (SELECT s.id, lower(s.name) AS key FROM sites s WHERE %(sort)s = '-name'
          ORDER BY lower(s.name) DESC, s.id DESC LIMIT %(limit)s OFFSET %(offset)s) AS chosen
    UNION ALL
    SELECT chosen.id, row_number() OVER (ORDER BY chosen.key ASC NULLS FIRST, chosen.id)
    FROM (SELECT s.id, s.last_sync_at AS key FROM sites s WHERE %(sort)s = 'last_sync_at'
          ORDER BY s.last_sync_at ASC NULLS FIRST, s.id LIMIT %(limit)s OFFSET %(offset)s) AS chosen
    UNION ALL
    SELECT chosen.id, row_number() OVER (ORDER BY chosen.key DESC NULLS LAST, chosen.id DESC)
    FROM (SELECT s.id, s.last_sync_at AS key FROM sites s WHERE %(sort)s = '-last_sync_at'
          ORDER BY s.last_sync_at DESC NULLS LAST, s.id DESC LIMIT %(limit)s OFFSET %(offset)s) AS chosen
    UNION ALL
    SELECT chosen.id, row_number() OVER (ORDER BY chosen.key, chosen.id)
    FROM (SELECT s.id, coalesce(sec.security_updates, 0) AS key
          FROM sites s LEFT JOIN security sec ON sec.site_id = s.id
          WHERE %(sort)s = 'security_updates'
          ORDER BY 2, s.id LIMIT %(limit)s OFFSET %(offset)s) AS chosen
    UNION ALL
    SELECT chosen.id, row_number() OVER (ORDER BY chosen.key DESC, chosen.id DESC)
    FROM (SELECT s.id, coalesce(sec.security_updates, 0) AS key
          FROM sites s LEFT JOIN security sec ON sec.site_id = s.id
          WHERE %(sort)s = '-security_updates'
          ORDER BY 2 DESC, s.id DESC LIMIT %(limit)s OFFSET %(offset)s) AS chosen
)
SELECT counted.total, site.id, site.name, site.url, site.created_at, site.last_sync_at, site.core_version,
       coalesce(site.last_sync_at, site.created_at)
           < now() - make_interval(hours => %(stale_after_hours)s::int) AS stale,
       counts.modules, counts.updates_available, counts.security_updates, counts.known_vulnerable,
       counts.projects, counts.projects_updates_available, counts.projects_security_updates,
       counts.projects_known_vulnerable, counts.projects_in_trouble
FROM (SELECT count(*) AS total FROM sites) AS counted
LEFT JOIN page ON true
LEFT JOIN sites AS site ON site.id = page.id
LEFT JOIN LATERAL site_module_counts(page.id) AS counts ON true
ORDER BY page.position
