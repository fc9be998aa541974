-- Every advisory range the status step matches installed versions against: the
-- OSV database's ranges (Drupal 8+ sites; withdrawn advisories match nothing),
-- and the composer metapackage's constraints (per feed), without the OSV fields.
SELECT 'current' AS feed_api, r.package, r.project, r.constraint_text, a.id AS advisory_id,
       array_to_string(a.aliases, E'\x1f') AS aliases, a.url, a.summary, r.fixed AS fixed_in,
       r.introduced_key, r.fixed_key, r.last_affected_key
FROM osv_ranges r
JOIN osv_advisories a ON a.id = r.advisory_id
WHERE a.withdrawn IS NULL
UNION ALL
SELECT feed_api, package, project, constraint_text, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM advisories
