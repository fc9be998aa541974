-- New modules join the catalogue; existing ones keep what admins set. The
-- anti-join first: on a steady day nearly every listed module is known.
INSERT INTO modules (machine_name, display_name, module_type, description, project)
SELECT machine_name, display_name, module_type, description, project
FROM stage_modules s
WHERE NOT EXISTS (SELECT 1 FROM modules m WHERE m.machine_name = s.machine_name)
ORDER BY machine_name
ON CONFLICT (machine_name) DO NOTHING
