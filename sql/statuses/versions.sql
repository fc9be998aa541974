-- The versions the given sites' modules run (every known version when site_ids
-- is null), once each however many run them, with the fields parsed when the
-- version was stored (NULL: not a Drupal version).
SELECT id AS version_id, version_string AS version, major, minor, extra,
       coalesce(extra = 'dev', false) AS is_dev, sort_key
FROM module_versions
WHERE %(site_ids)s::bigint[] IS NULL
   OR id IN (SELECT current_version_id FROM site_modules WHERE site_id = ANY(%(site_ids)s::bigint[]))
