-- Rows whose parent is gone (foreign keys prevent this; the check proves it).
SELECT 'site_modules' AS table_name, sm.id FROM site_modules sm
LEFT JOIN sites s ON s.id = sm.site_id WHERE s.id IS NULL
UNION ALL
SELECT 'site_module_events', e.id FROM site_module_events e
LEFT JOIN site_modules sm ON sm.id = e.site_module_id WHERE sm.id IS NULL
UNION ALL
SELECT 'module_versions', v.id FROM module_versions v
LEFT JOIN modules m ON m.id = v.module_id WHERE m.id IS NULL
LIMIT 20
