-- Projects whose statuses were recomputed (in the same transaction as the statuses).
DELETE FROM advisory_recompute WHERE project = ANY(%(projects)s::text[])
