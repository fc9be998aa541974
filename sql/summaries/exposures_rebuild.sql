-- Every advisory exposure, rebuilt from scratch (reconcile, release refresh,
-- advisories load), one per advisory, site and project, with the present
-- modules of the project it covers; DELETE, not TRUNCATE, as for the other summaries.
DELETE FROM advisory_exposures;
INSERT INTO advisory_exposures (advisory_id, site_id, project, installed_version, fixed_in, constraint_text,
                                modules, refreshed_at)
SELECT item ->> 'id', sp.site_id, sp.project, min(sp.version), min(item ->> 'fixed_in'),
       min(item ->> 'constraint'), min(sp.modules), now()
FROM site_projects sp
CROSS JOIN jsonb_array_elements(sp.advisories) AS item
WHERE sp.in_trouble AND sp.known_vulnerable
  AND item ->> 'id' IN (SELECT id FROM osv_advisories)
GROUP BY item ->> 'id', sp.site_id, sp.project;
