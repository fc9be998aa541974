-- The module and one of its versions, as they are before a change; the
-- version columns are NULL when it is not known yet, `module_id` when there
-- is no such module.
SELECT m.id AS module_id, v.id AS version_id, v.is_security_update, v.release_date, v.release_notes_link
FROM (SELECT 1) AS one
LEFT JOIN modules m ON m.machine_name = %(machine_name)s
LEFT JOIN module_versions v ON v.module_id = m.id AND v.version_string = %(version)s
