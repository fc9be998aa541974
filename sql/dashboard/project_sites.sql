-- A page of the sites running a project (all, or only `only_site_id`), the
-- most severe first, with the installed version, status, the fix (the
-- recommended release, the security updates and the releases that fix the
-- advisories matched) and the advisories;
-- and the total. One row of NULLs past the last page.
WITH matching AS MATERIALIZED (
    SELECT sp.site_id, sp.version, sp.status, sp.status_reason, sp.recommended_version, sp.security_updates,
           sp.known_vulnerable, sp.advisories,
           array_position(ARRAY['NOT_SECURE', 'REVOKED', 'NOT_SUPPORTED', 'NOT_CURRENT', 'CURRENT', 'NOT_CHECKED',
                                'UNKNOWN', 'NOT_FETCHED']::text[], sp.status::text) AS severity
    FROM site_projects sp
    WHERE sp.project = %(project)s AND sp.removed_at IS NULL
      AND (%(only_site_id)s::bigint IS NULL OR sp.site_id = %(only_site_id)s::bigint)
)
SELECT counted.total, page.site_id, s.name AS site_name, page.version, page.status, page.status_reason,
       page.recommended_version, page.security_updates, page.known_vulnerable,
       ARRAY(SELECT item ->> 'id' FROM jsonb_array_elements(page.advisories) AS item
             WHERE item ->> 'id' IS NOT NULL) AS advisory_ids,
       ARRAY(SELECT DISTINCT item ->> 'fixed_in' FROM jsonb_array_elements(page.advisories) AS item
             WHERE item ->> 'fixed_in' IS NOT NULL ORDER BY 1) AS fixed_in
FROM (SELECT count(*) AS total FROM matching) AS counted
LEFT JOIN LATERAL (
    SELECT * FROM matching
    ORDER BY known_vulnerable DESC, severity, site_id
    LIMIT %(limit)s OFFSET %(offset)s
) AS page ON true
LEFT JOIN sites s ON s.id = page.site_id
ORDER BY page.known_vulnerable DESC, page.severity, page.site_id
