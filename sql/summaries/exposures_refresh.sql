-- The advisory exposures of the given sites, recounted from their present site
-- modules' OSV advisory items: one row per advisory, site and project, with
-- the installed version, the fix and the range that matched. Only rows in
-- trouble are read (the partial index ix_site_modules_insecure). Upserted for
-- what is exposed, deleted for what no longer is.
WITH fresh AS (
    SELECT item ->> 'id' AS advisory_id, sm.site_id, sm.project, min(v.version_string) AS installed_version,
           min(item ->> 'fixed_in') AS fixed_in, min(item ->> 'constraint') AS constraint_text,
           count(*) AS modules
    FROM site_modules sm
    CROSS JOIN jsonb_array_elements(sm.advisories) AS item
    JOIN module_versions v ON v.id = sm.current_version_id
    WHERE sm.site_id = ANY(%(site_ids)s::bigint[])
      AND sm.in_trouble AND sm.known_vulnerable
      AND item ->> 'id' IN (SELECT id FROM osv_advisories)
    GROUP BY item ->> 'id', sm.site_id, sm.project
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
