-- Every advisory exposure, recounted from scratch (reconcile, release refresh,
-- advisories load), one per advisory, site and project, with the present
-- modules of the project it covers. Written as a difference: what is no
-- longer exposed is deleted, what is new or changed is upserted, and a row
-- that is already right is left alone (no new row version, no foreign-key
-- checks: a recount that changes nothing writes nothing). DELETE, not
-- TRUNCATE: the report stays readable meanwhile and sees the old rows until
-- the transaction commits.
WITH fresh AS (
    SELECT item ->> 'id' AS advisory_id, sp.site_id, sp.project, min(sp.version) AS installed_version,
           min(item ->> 'fixed_in') AS fixed_in, min(item ->> 'constraint') AS constraint_text,
           min(sp.modules) AS modules
    FROM site_projects sp
    CROSS JOIN jsonb_array_elements(sp.advisories) AS item
    WHERE sp.in_trouble AND sp.known_vulnerable
      AND item ->> 'id' IN (SELECT id FROM osv_advisories)
    GROUP BY item ->> 'id', sp.site_id, sp.project
), cleared AS (
    DELETE FROM advisory_exposures e
    WHERE NOT EXISTS (SELECT FROM fresh f WHERE (f.advisory_id, f.site_id, f.project)
                                                = (e.advisory_id, e.site_id, e.project))
)
INSERT INTO advisory_exposures AS e (advisory_id, site_id, project, installed_version, fixed_in, constraint_text,
                                     modules, refreshed_at)
SELECT f.advisory_id, f.site_id, f.project, f.installed_version, f.fixed_in, f.constraint_text, f.modules, now()
FROM fresh f
WHERE NOT EXISTS (SELECT FROM advisory_exposures e
                  WHERE (e.advisory_id, e.site_id, e.project) = (f.advisory_id, f.site_id, f.project)
                    AND (e.installed_version, e.fixed_in, e.constraint_text, e.modules)
                        IS NOT DISTINCT FROM (f.installed_version, f.fixed_in, f.constraint_text, f.modules))
ON CONFLICT (advisory_id, site_id, project) DO UPDATE
SET installed_version = excluded.installed_version, fixed_in = excluded.fixed_in,
    constraint_text = excluded.constraint_text, modules = excluded.modules, refreshed_at = excluded.refreshed_at
