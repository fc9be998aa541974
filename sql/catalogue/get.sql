-- One module of the catalogue with its counts; no row when there is none.
SELECT m.id, m.machine_name, m.display_name, m.project, m.module_type, m.description, m.drupal_org_link,
       m.created_at, m.updated_at,
       -- as in page.sql: every row index-only, less the removed ones
       (SELECT count(*) FROM site_modules sm WHERE sm.module_id = m.id)
       - (SELECT count(*) FROM site_modules sm WHERE sm.module_id = m.id AND sm.removed_at IS NOT NULL)
       AS site_count,
       (SELECT count(*) FROM module_versions v WHERE v.module_id = m.id) AS version_count
FROM modules m
WHERE m.machine_name = %(machine_name)s
