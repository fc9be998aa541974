-- New modules join the catalogue; existing ones keep what admins set.
INSERT INTO modules (machine_name, display_name, module_type, description, project)
SELECT DISTINCT ON (machine_name) machine_name, display_name, module_type, description, project
FROM stage_inventory
ORDER BY machine_name, landing_id DESC
ON CONFLICT (machine_name) DO NOTHING
