-- The stage with catalogue ids, as its own table: analysed, it gives the
-- planner true row counts for the joins with site_modules, whatever the
-- (possibly stale) statistics of the freshly grown catalogue say.
CREATE TEMP TABLE stage_listed ON COMMIT DROP AS
SELECT s.round, s.task_id, s.site_id, s.sync_type, s.received_at, s.project, s.module_type,
       s.enabled, s.version, s.datestamp, m.id AS module_id, v.id AS version_id
FROM stage_inventory s
JOIN modules m ON m.machine_name = s.machine_name
JOIN module_versions v ON v.module_id = m.id AND v.version_string = s.version;

ANALYZE stage_listed
