-- One history event per change of this round.
INSERT INTO site_module_events (site_module_id, site_id, module_id, task_id, event_type,
                                from_version, to_version, occurred_at)
SELECT sm.id, c.site_id, c.module_id, c.task_id, e.event_type, e.from_version, e.to_version,
       c.received_at
FROM round_changes c
JOIN site_modules sm ON sm.site_id = c.site_id AND sm.module_id = c.module_id
CROSS JOIN LATERAL (VALUES
    ('added', NULL, c.new_version, c.outcome = 'created'),
    ('removed', c.old_version, NULL, c.outcome = 'removed'),
    ('version_changed', c.old_version, c.new_version,
        c.outcome = 'updated' AND c.old_version <> c.new_version),
    ('enabled', c.new_version, c.new_version,
        c.outcome = 'updated' AND NOT c.old_enabled AND c.new_enabled),
    ('disabled', c.new_version, c.new_version,
        c.outcome = 'updated' AND c.old_enabled AND NOT c.new_enabled)
) AS e(event_type, from_version, to_version, happened)
WHERE c.round = %(round)s AND c.outcome <> 'unchanged' AND e.happened
ORDER BY c.site_id, c.module_id
