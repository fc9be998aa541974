-- The statuses set back (reset_statuses.sql) as a settled database has them:
-- statistics fresh, hint bits and the visibility map set.
VACUUM (ANALYZE) site_projects
