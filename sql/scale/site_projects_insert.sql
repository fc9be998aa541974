-- Every loaded site's projects, NOT_CHECKED as migration 0010 leaves them, so
-- that the status recompute the benchmark times writes every row, as after a
-- rule change.
INSERT INTO site_projects (site_id, project)
SELECT DISTINCT sm.site_id, sm.project
FROM site_modules sm
JOIN scale_site_ids i ON i.site_id = sm.site_id
