-- The catalogue ids of every (module, version) the run lists, once each, by its
-- position in the stage (strings do not come back through CSV as they went in:
-- an empty version would come back as NULL).
SELECT sv.position, m.id AS module_id, v.id AS version_id
FROM stage_versions sv
JOIN modules m ON m.machine_name = sv.machine_name
JOIN module_versions v ON v.module_id = m.id AND v.version_string = sv.version
