-- Rows of the given sites (every site's when NULL) whose parent is gone
-- (foreign keys prevent this; the check proves it): their site modules without
-- their site, their history without its site module, the versions their
-- modules run without their module. An ingest run gives its own sites: it does
-- not pass over the whole portfolio.
SELECT 'site_modules' AS table_name, sm.id FROM site_modules sm
LEFT JOIN sites s ON s.id = sm.site_id
WHERE (%(site_ids)s::bigint[] IS NULL OR sm.site_id = ANY(%(site_ids)s::bigint[])) AND s.id IS NULL
UNION ALL
SELECT 'site_module_events', e.id FROM site_module_events e
LEFT JOIN site_modules sm ON sm.id = e.site_module_id
WHERE (%(site_ids)s::bigint[] IS NULL OR e.site_id = ANY(%(site_ids)s::bigint[])) AND sm.id IS NULL
UNION ALL
SELECT 'module_versions', v.id FROM module_versions v
LEFT JOIN modules m ON m.id = v.module_id
WHERE (%(site_ids)s::bigint[] IS NULL
       OR v.id IN (SELECT current_version_id FROM site_modules WHERE site_id = ANY(%(site_ids)s::bigint[])))
  AND m.id IS NULL
LIMIT 20
