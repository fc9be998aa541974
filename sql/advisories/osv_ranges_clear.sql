-- The stored ranges of advisories a load changes, before their staged ones replace them.
DELETE FROM osv_ranges WHERE advisory_id = ANY(%(advisory_ids)s::text[])
