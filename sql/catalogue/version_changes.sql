-- Manual catalogue changes that can move statuses, past the catalog sensor's
-- cursor. Safe as "id > cursor" only because these rows are written under
-- the catalogue lock (lock.sql), which makes them commit in id
-- order; the entity index keeps this to module rows, however many syncs the
-- audit log holds.
SELECT id, action, entity_id
FROM audit_log
WHERE entity_type = 'module' AND action = ANY (%(actions)s) AND id > %(after_id)s
ORDER BY id
