-- Every site's projects back to NOT_CHECKED, as the load leaves them, so that a
-- status recompute timed again on the same portfolio writes every row.
TRUNCATE site_projects;
INSERT INTO site_projects (site_id, project)
SELECT DISTINCT site_id, project FROM site_modules
