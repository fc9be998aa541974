-- What each listed module of this round changes, judged against the state
-- left by the previous rounds (same transaction).
INSERT INTO round_changes
SELECT s.round, s.task_id, s.site_id, s.module_id, s.received_at,
       CASE WHEN sm.id IS NULL OR sm.removed_at IS NOT NULL THEN 'created'
            WHEN sm.current_version_id <> s.version_id OR sm.enabled <> s.enabled THEN 'updated'
            ELSE 'unchanged' END,
       CASE WHEN sm.removed_at IS NULL THEN old.version_string END,
       s.version,
       CASE WHEN sm.removed_at IS NULL THEN sm.enabled END,
       s.enabled,
       s.version_id, s.project, s.module_type, s.datestamp,
       sm.id IS NULL
       OR sm.removed_at IS NOT NULL
       OR s.sync_type = 'partial'
       OR sm.current_version_id <> s.version_id
       OR sm.enabled <> s.enabled
       OR sm.project <> s.project
       OR sm.module_type <> s.module_type
       OR sm.datestamp IS DISTINCT FROM s.datestamp
FROM stage_listed s
LEFT JOIN site_modules sm ON sm.site_id = s.site_id AND sm.module_id = s.module_id
LEFT JOIN module_versions old ON old.id = sm.current_version_id
WHERE s.round = %(round)s
