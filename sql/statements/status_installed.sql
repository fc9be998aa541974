-- Site modules of the given sites (all sites when site_ids is null), removed
-- ones included so a row's status never depends on when it was removed, with
-- the feed their site reads: Drupal 7 sites the 7.x feeds, others current.
SELECT sm.id AS site_module_id, sm.module_id, sm.project,
       CASE WHEN split_part(s.core_version, '.', 1) = '7' THEN '7.x' ELSE 'current' END AS feed_api,
       v.version_string AS version, sm.datestamp, sm.module_type
FROM site_modules sm
JOIN sites s ON s.id = sm.site_id
JOIN module_versions v ON v.id = sm.current_version_id
WHERE (%(site_ids)s::bigint[] IS NULL OR sm.site_id = ANY(%(site_ids)s::bigint[]))
