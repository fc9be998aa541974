-- Every advisory a site's present projects match, with the installed version
-- and the fix: OSV advisories carry an id, CVE aliases and their drupal.org
-- page; a Drupal 7 metapackage match only its constraint.
SELECT sp.project, sp.version, item ->> 'id' AS advisory_id,
       ARRAY(SELECT jsonb_array_elements_text(coalesce(item -> 'aliases', '[]'::jsonb))) AS aliases,
       item ->> 'url' AS url, item ->> 'summary' AS summary, item ->> 'fixed_in' AS fixed_in,
       item ->> 'constraint' AS constraint_text
FROM site_projects sp
CROSS JOIN LATERAL jsonb_array_elements(sp.advisories) AS item
WHERE sp.site_id = %(site_id)s AND sp.removed_at IS NULL AND sp.advisories <> '[]'::jsonb
ORDER BY item ->> 'id' DESC NULLS LAST, sp.project
