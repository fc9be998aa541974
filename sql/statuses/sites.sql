-- The feed each site reads: Drupal 7 sites the 7.x feeds, others current.
SELECT id AS site_id,
       CASE WHEN split_part(core_version, '.', 1) = '7' THEN '7.x' ELSE 'current' END AS feed_api
FROM sites
WHERE (%(site_ids)s::bigint[] IS NULL OR id = ANY(%(site_ids)s::bigint[]))
