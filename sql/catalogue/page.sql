-- A page of the catalogue in machine-name order with each module's counts,
-- and the total; a page past the end still reports the total. A NULL filter
-- parameter means "no filter"; %(search)s is an ILIKE pattern.
WITH matching AS NOT MATERIALIZED (
    SELECT m.id, m.machine_name, m.display_name, m.project, m.module_type, m.description, m.drupal_org_link,
           m.created_at, m.updated_at
    FROM modules m
    WHERE (%(module_type)s::text IS NULL OR m.module_type = %(module_type)s::text)
      AND (%(project)s::text IS NULL OR m.project = %(project)s::text)
      AND (%(search)s::text IS NULL
           OR m.machine_name ILIKE %(search)s::text OR m.display_name ILIKE %(search)s::text)
)
SELECT counted.total, page.machine_name, page.display_name, page.project, page.module_type, page.description,
       page.drupal_org_link, page.created_at, page.updated_at, usage.site_count, versions.version_count
FROM (
    -- Unfiltered, the total is the tally kept as modules come and go (migration 0014): counting
    -- every module, custom ones included, would cost each page a scan of the catalogue.
    SELECT CASE WHEN %(module_type)s::text IS NULL AND %(project)s::text IS NULL AND %(search)s::text IS NULL
                THEN (SELECT coalesce(sum(tally.modules), 0)::bigint FROM module_tally tally)
                ELSE (SELECT count(*) FROM matching) END AS total
) AS counted
LEFT JOIN LATERAL (
    -- Unfiltered, the page walks the machine-name index as far as the page. Its own branch, because a
    -- prepared statement's generic plan cannot know the filters are off: it took the filtered query for
    -- a few rows and sorted the whole catalogue for every page.
    (SELECT m.id, m.machine_name, m.display_name, m.project, m.module_type, m.description, m.drupal_org_link,
            m.created_at, m.updated_at
     FROM modules m
     WHERE %(module_type)s::text IS NULL AND %(project)s::text IS NULL AND %(search)s::text IS NULL
     ORDER BY m.machine_name LIMIT %(limit)s OFFSET %(offset)s)
    UNION ALL
    (SELECT * FROM matching
     WHERE NOT (%(module_type)s::text IS NULL AND %(project)s::text IS NULL AND %(search)s::text IS NULL)
     ORDER BY machine_name LIMIT %(limit)s OFFSET %(offset)s)
) AS page ON true
LEFT JOIN LATERAL (
    -- The tally kept as site modules come and go (migration 0016), at most 16 rows a module: counting
    -- a popular module's rows, even index-only, reads an entry for each of the thousands of sites it is on.
    SELECT coalesce(sum(tally.sites), 0)::bigint AS site_count
    FROM module_site_tally tally
    WHERE tally.module_id = page.id
) AS usage ON true
LEFT JOIN LATERAL (
    SELECT count(*) AS version_count FROM module_versions v WHERE v.module_id = page.id
) AS versions ON true
ORDER BY page.machine_name
