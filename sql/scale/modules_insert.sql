INSERT INTO modules (machine_name, display_name, module_type, project)
SELECT DISTINCT ON (machine_name) machine_name, machine_name, module_type, project
FROM scale_stage
ORDER BY machine_name
ON CONFLICT (machine_name) DO NOTHING
