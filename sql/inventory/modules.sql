-- New modules join the catalogue; existing ones keep what admins set. The
-- anti-join first: on a steady day nearly every listed module is known.
INSERT INTO modules (machine_name, display_name, module_type, description, project)
SELECT DISTINCT ON (machine_name) machine_name, display_name, module_type, description, project
FROM stage_inventory s
WHERE NOT EXISTS (SELECT 1 FROM modules m WHERE m.machine_name = s.machine_name)
ORDER BY machine_name, landing_id DESC
ON CONFLICT (machine_name) DO NOTHING
