-- One OSV advisory with its whole text and its ranges (as a JSON array, in order).
SELECT a.id, a.aliases, a.summary, a.details, a.url, a.published, a.modified, a.withdrawn,
       coalesce((SELECT jsonb_agg(jsonb_build_object(
                    'package', r.package, 'project', r.project, 'introduced', r.introduced, 'fixed', r.fixed,
                    'last_affected', r.last_affected, 'constraint', r.constraint_text) ORDER BY r.range_index)
                 FROM osv_ranges r WHERE r.advisory_id = a.id), '[]'::jsonb) AS ranges
FROM osv_advisories a
WHERE a.id = %(advisory_id)s
