-- The staged ranges of the new or changed advisories.
INSERT INTO osv_ranges (advisory_id, range_index, package, project, introduced, fixed, last_affected,
                        constraint_text, introduced_key, fixed_key, last_affected_key)
SELECT advisory_id, range_index, package, project, introduced, fixed, last_affected,
       constraint_text, introduced_key, fixed_key, last_affected_key
FROM stage_osv_ranges
WHERE advisory_id = ANY(%(advisory_ids)s::text[])
