-- One history event per change of the run, in the order the payloads apply.
INSERT INTO site_module_events (site_module_id, site_id, module_id, task_id, event_type,
                                from_version, to_version, occurred_at)
SELECT sm.id, c.site_id, c.module_id, c.task_id, e.event_type, e.from_version, e.to_version, c.received_at
FROM round_changes c
JOIN site_modules sm ON sm.site_id = c.site_id AND sm.module_id = c.module_id
LEFT JOIN module_versions old ON old.id = c.old_version_id
CROSS JOIN LATERAL (VALUES
    (1, 'added', NULL, c.new_version, c.outcome = 'created'),
    (2, 'removed', old.version_string, NULL, c.outcome = 'removed'),
    (3, 'version_changed', old.version_string, c.new_version,
        c.outcome = 'updated' AND c.old_version_id <> c.version_id),
    (4, 'enabled', c.new_version, c.new_version,
        c.outcome = 'updated' AND NOT c.old_enabled AND c.new_enabled),
    (5, 'disabled', c.new_version, c.new_version,
        c.outcome = 'updated' AND c.old_enabled AND NOT c.new_enabled)
) AS e(position, event_type, from_version, to_version, happened)
WHERE c.outcome <> 'unchanged' AND e.happened
ORDER BY c.round, c.site_id, c.module_id, e.position
