-- The listed modules with their payload and catalogue ids, as a table of its
-- own: analysed, it gives the planner true row counts for the joins with
-- site_modules, whatever the (possibly stale) statistics of the freshly grown
-- catalogue say. Ids are looked up once per distinct version, not per row.
CREATE TEMP TABLE stage_listed ON COMMIT DROP AS
SELECT p.round, p.task_id, p.site_id, p.sync_type, p.received_at, s.project, s.module_type, s.enabled,
       s.version, s.datestamp, ids.module_id, ids.version_id
FROM stage_inventory s
JOIN stage_payloads p ON p.landing_id = s.landing_id
JOIN (SELECT sv.machine_name, sv.version, m.id AS module_id, v.id AS version_id
      FROM stage_versions sv
      JOIN modules m ON m.machine_name = sv.machine_name
      JOIN module_versions v ON v.module_id = m.id AND v.version_string = sv.version) AS ids
  ON ids.machine_name = s.machine_name AND ids.version = s.version;

ANALYZE stage_listed
