-- The advisory exposures of the given sites, recounted from their present
-- projects' OSV advisory items: one row per advisory, site and project, with
-- the installed version, the fix, the range that matched and the present
-- modules of the project. Only rows in trouble are read (the partial index
-- ix_site_projects_trouble). Upserted for what is exposed, deleted for what
-- no longer is.
WITH fresh AS (
    SELECT item ->> 'id' AS advisory_id, sp.site_id, sp.project, min(sp.version) AS installed_version,
           min(item ->> 'fixed_in') AS fixed_in, min(item ->> 'constraint') AS constraint_text,
           min(sp.modules) AS modules
    FROM site_projects sp
    CROSS JOIN jsonb_array_elements(sp.advisories) AS item
    WHERE sp.site_id = ANY(%(site_ids)s::bigint[])
      AND sp.in_trouble AND sp.known_vulnerable
      AND item ->> 'id' IN (SELECT id FROM osv_advisories)
    GROUP BY item ->> 'id', sp.site_id, sp.project
), cleared AS (
    DELETE FROM advisory_exposures e
    WHERE e.site_id = ANY(%(site_ids)s::bigint[])
      AND NOT EXISTS (SELECT FROM fresh f WHERE (f.advisory_id, f.site_id, f.project)
                                                = (e.advisory_id, e.site_id, e.project))
)
INSERT INTO advisory_exposures AS e (advisory_id, site_id, project, installed_version, fixed_in, constraint_text,
                                     modules, refreshed_at)
SELECT advisory_id, site_id, project, installed_version, fixed_in, constraint_text, modules, now()
FROM fresh
ON CONFLICT (advisory_id, site_id, project) DO UPDATE
SET installed_version = excluded.installed_version, fixed_in = excluded.fixed_in,
    constraint_text = excluded.constraint_text, modules = excluded.modules, refreshed_at = excluded.refreshed_at
