INSERT INTO site_modules (site_id, module_id, current_version_id, project, module_type,
                          enabled, datestamp, first_seen, last_seen, last_updated)
SELECT i.site_id, m.id, v.id, s.project, s.module_type, s.enabled, s.datestamp, now(), now(), now()
FROM scale_stage s
JOIN scale_site_ids i ON i.site = s.site
JOIN modules m ON m.machine_name = s.machine_name
JOIN module_versions v ON v.module_id = m.id AND v.version_string = s.version
