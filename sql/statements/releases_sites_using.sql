SELECT DISTINCT sm.site_id
FROM site_modules sm
JOIN sites s ON s.id = sm.site_id
WHERE sm.removed_at IS NULL
  AND (sm.project, CASE WHEN split_part(s.core_version, '.', 1) = '7' THEN '7.x' ELSE 'current' END)
      IN (SELECT * FROM unnest(%(projects)s::text[], %(feed_apis)s::text[]))
