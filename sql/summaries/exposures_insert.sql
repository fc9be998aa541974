-- The staged exposures (exposures_stage.sql) with no stored row, inserted
-- plainly: no speculative insertion per row, since summary writers take turns
-- (lock.sql) and no other transaction inserts exposures meanwhile.
INSERT INTO advisory_exposures (advisory_id, site_id, project, installed_version, fixed_in, constraint_text,
                                modules, refreshed_at)
SELECT f.advisory_id, f.site_id, f.project, f.installed_version, f.fixed_in, f.constraint_text, f.modules, now()
FROM fresh_exposures f
WHERE NOT f.stored
