-- Fresh statistics after a bulk load, so the figures measured next use real plans.
ANALYZE sites, modules, module_versions, site_modules, site_projects;
