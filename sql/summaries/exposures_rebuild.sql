-- Every advisory exposure, rebuilt from scratch (reconcile, release refresh,
-- advisories load); DELETE, not TRUNCATE, as for the other summaries.
DELETE FROM advisory_exposures;
INSERT INTO advisory_exposures (advisory_id, site_id, project, installed_version, fixed_in, constraint_text,
                                modules, refreshed_at)
SELECT item ->> 'id', sm.site_id, sm.project, min(v.version_string), min(item ->> 'fixed_in'),
       min(item ->> 'constraint'), count(*), now()
FROM site_modules sm
CROSS JOIN jsonb_array_elements(sm.advisories) AS item
JOIN module_versions v ON v.id = sm.current_version_id
WHERE sm.in_trouble AND sm.known_vulnerable
  AND item ->> 'id' IN (SELECT id FROM osv_advisories)
GROUP BY item ->> 'id', sm.site_id, sm.project;
