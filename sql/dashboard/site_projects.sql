-- A site's present projects as Drupal's "Available updates" report lists
-- them: one table per kind (core, contributed, custom: the inventory does
-- not tell modules from themes as Drupal's tables do), each sorted by title
-- regardless of case, as Drupal sorts them; the status shows in each row's
-- colour, and the page's counts say how many are in trouble. Each with the
-- modules it includes, enabled and disabled apart as Drupal lists them, and
-- the drupal.org link of every release it names,
-- from the feed of the site's Drupal generation.
WITH site AS (
    SELECT id, CASE WHEN split_part(core_version, '.', 1) = '7' THEN '7.x' ELSE 'current' END AS feed_api
    FROM sites WHERE id = %(site_id)s
),
included AS (
    SELECT sm.project,
           coalesce(array_agg(m.machine_name ORDER BY m.machine_name) FILTER (WHERE sm.enabled), '{}') AS modules,
           coalesce(array_agg(m.machine_name ORDER BY m.machine_name) FILTER (WHERE NOT sm.enabled), '{}')
               AS disabled_modules,
           CASE WHEN bool_or(sm.module_type = 'core') THEN 'core'
                WHEN bool_or(sm.module_type = 'contrib') THEN 'contrib'
                ELSE 'custom' END AS project_type
    FROM site_modules sm
    JOIN modules m ON m.id = sm.module_id
    WHERE sm.site_id = %(site_id)s AND sm.removed_at IS NULL
    GROUP BY sm.project
)
SELECT sp.project, coalesce(p.title, sp.project) AS title, p.link,
       coalesce(included.project_type, 'custom') AS project_type,
       sp.version, sp.status, sp.status_reason, sp.latest_version, sp.recommended_version,
       sp.also_available, sp.security_updates, sp.update_available, sp.security_update_available,
       sp.known_vulnerable, sp.security_coverage ->> 'state' AS coverage_state,
       coalesce(sp.security_coverage ->> 'until_version', sp.security_coverage ->> 'until_date') AS coverage_until,
       (sp.security_coverage ->> 'additional_minors')::int AS coverage_additional_minors,
       coalesce(included.modules, '{}') AS modules, coalesce(included.disabled_modules, '{}') AS disabled_modules,
       ARRAY(SELECT item ->> 'id' FROM jsonb_array_elements(sp.advisories) AS item
             WHERE item ->> 'id' IS NOT NULL) AS advisory_ids,
       coalesce(links.release_links, '{}'::jsonb) AS release_links,
       sp.status_checked_at
FROM site
JOIN site_projects sp ON sp.site_id = site.id AND sp.removed_at IS NULL
LEFT JOIN included ON included.project = sp.project
LEFT JOIN projects p ON p.name = sp.project AND p.feed_api = site.feed_api
LEFT JOIN LATERAL (
    SELECT jsonb_object_agg(r.version, r.release_link) AS release_links
    FROM releases r
    WHERE r.project_id = p.id AND r.release_link IS NOT NULL
      AND r.version = ANY (sp.security_updates || sp.also_available
                           || ARRAY[sp.recommended_version, sp.latest_version, sp.version])
) AS links ON true
ORDER BY CASE coalesce(included.project_type, 'custom') WHEN 'core' THEN 0 WHEN 'contrib' THEN 1 ELSE 2 END,
         lower(coalesce(p.title, sp.project)), sp.project
