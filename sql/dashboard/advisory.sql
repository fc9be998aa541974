-- One OSV advisory for its page: its text, the projects it names with the
-- fixes, and how many sites it affects (all, or only `only_site_id`: from
-- advisory_exposures, kept by the status step).
SELECT a.id, a.aliases, a.summary, a.details, a.url, a.published, a.modified, a.withdrawn,
       ARRAY(SELECT DISTINCT r.project FROM osv_ranges r WHERE r.advisory_id = a.id ORDER BY 1) AS projects,
       ARRAY(SELECT DISTINCT r.fixed FROM osv_ranges r WHERE r.advisory_id = a.id AND r.fixed IS NOT NULL
             ORDER BY 1) AS fixed_in,
       ARRAY(SELECT r.constraint_text FROM osv_ranges r
             WHERE r.advisory_id = a.id AND r.constraint_text IS NOT NULL ORDER BY r.range_index) AS constraints,
       (SELECT count(DISTINCT e.site_id) FROM advisory_exposures e
        WHERE e.advisory_id = a.id
          AND (%(only_site_id)s::bigint IS NULL OR e.site_id = %(only_site_id)s::bigint)) AS affected_sites
FROM osv_advisories a
WHERE a.id = %(advisory_id)s
