-- Every site and project one advisory affects, with the installed version, the
-- fix and the range that matched (from advisory_exposures, kept by the status step).
SELECT e.site_id, s.name AS site_name, s.url AS site_url, e.project, e.installed_version, e.fixed_in,
       e.constraint_text, e.modules
FROM advisory_exposures e
JOIN sites s ON s.id = e.site_id
WHERE e.advisory_id = %(advisory_id)s
ORDER BY e.site_id, e.project
