-- The staged exposures (exposures_stage.sql) whose stored row changed, updated.
UPDATE advisory_exposures e
SET installed_version = f.installed_version, fixed_in = f.fixed_in, constraint_text = f.constraint_text,
    modules = f.modules, refreshed_at = now()
FROM fresh_exposures f
WHERE f.stored AND NOT f.unchanged
  AND (e.advisory_id, e.site_id, e.project) = (f.advisory_id, f.site_id, f.project)
