-- Feeds to fetch: every (project, feed) some present contrib or core module
-- uses — of every site or only the given ones (an ingest run's: its sites'
-- modules by index, not every site module of the portfolio), all of them,
-- only named projects, only never-fetched ones, or those older than the
-- refresh interval.
SELECT DISTINCT sm.project,
       CASE WHEN split_part(s.core_version, '.', 1) = '7' THEN '7.x' ELSE 'current' END AS feed_api,
       p.etag, p.last_modified
FROM site_modules sm
JOIN sites s ON s.id = sm.site_id
LEFT JOIN projects p
       ON p.name = sm.project
      AND p.feed_api = CASE WHEN split_part(s.core_version, '.', 1) = '7' THEN '7.x' ELSE 'current' END
WHERE sm.removed_at IS NULL
  AND sm.module_type <> 'custom'
  AND (%(site_ids)s::bigint[] IS NULL OR sm.site_id = ANY(%(site_ids)s::bigint[]))
  AND (%(projects)s::text[] IS NULL OR sm.project = ANY(%(projects)s::text[]))
  AND (NOT %(new_only)s OR p.id IS NULL OR p.fetch_state = 'pending')
  AND (%(older_than)s::timestamptz IS NULL OR p.fetched_at IS NULL OR p.fetched_at < %(older_than)s)
ORDER BY 1, 2
