INSERT INTO audit_log (actor, action, entity_type, entity_id, details)
VALUES (%(actor)s, %(action)s, %(entity_type)s, %(entity_id)s, %(details)s)
