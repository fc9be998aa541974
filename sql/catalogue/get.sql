-- One module of the catalogue with its counts; no row when there is none.
SELECT m.id, m.machine_name, m.display_name, m.project, m.module_type, m.description, m.drupal_org_link,
       m.created_at, m.updated_at,
       -- as in page.sql: the tally kept as site modules come and go
       (SELECT coalesce(sum(tally.sites), 0)::bigint FROM module_site_tally tally WHERE tally.module_id = m.id)
       AS site_count,
       (SELECT count(*) FROM module_versions v WHERE v.module_id = m.id) AS version_count
FROM modules m
WHERE m.machine_name = %(machine_name)s
