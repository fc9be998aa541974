-- After a bulk load, the tables as a settled database has them: fresh
-- statistics, so the figures measured next use real plans, and vacuumed, as
-- autovacuum leaves them (hint bits and the visibility map set), so that the
-- first reads do not pay for writing them.
VACUUM (ANALYZE) sites, modules, module_versions, site_modules, site_projects
