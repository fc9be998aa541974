-- The portfolio page: every site (or only `only_site_id`, for a site's own
-- token) ranked by its trouble — a NOT_SECURE, REVOKED or known-vulnerable
-- project first, then core coverage ended, ending, then stale sites — one
-- page of them with their counts, and the total matching `kind` and `q`.
-- The ranking reads the security summary the pipeline keeps with the
-- statuses (one row per site in trouble) and one core row per site (a
-- partial index of migration 0012); the project counts are taken for the
-- page's sites alone. One row of NULLs past the last page, so the total is
-- always there.
WITH trouble AS (
    SELECT summary.site_id, summary.not_secure, summary.revoked, summary.known_vulnerable,
           summary.affected_projects AS in_trouble
    FROM site_security_summary summary
    WHERE %(only_site_id)s::bigint IS NULL OR summary.site_id = %(only_site_id)s::bigint
),
ranked AS MATERIALIZED (
    SELECT s.id, s.name, s.url, s.core_version, s.last_sync_at,
           coalesce(s.last_sync_at, s.created_at)
               < now() - make_interval(hours => %(stale_after_hours)s::int) AS stale,
           coalesce(t.not_secure, 0) AS not_secure, coalesce(t.revoked, 0) AS revoked,
           coalesce(t.known_vulnerable, 0) AS known_vulnerable, coalesce(t.in_trouble, 0) AS in_trouble,
           core.security_coverage ->> 'state' AS coverage_state
    FROM sites s
    LEFT JOIN trouble t ON t.site_id = s.id
    LEFT JOIN site_projects core
           ON core.site_id = s.id AND core.project = 'drupal' AND core.removed_at IS NULL
    WHERE (%(only_site_id)s::bigint IS NULL OR s.id = %(only_site_id)s::bigint)
      AND (%(q)s::text IS NULL OR strpos(lower(s.name), lower(%(q)s::text)) > 0
           OR strpos(lower(s.url), lower(%(q)s::text)) > 0)
),
matching AS MATERIALIZED (
    SELECT * FROM ranked r
    WHERE CASE %(kind)s::text
              WHEN 'trouble' THEN r.in_trouble > 0 OR r.coverage_state IN ('ended', 'ending_soon') OR r.stale
              WHEN 'not_secure' THEN r.not_secure > 0
              WHEN 'revoked' THEN r.revoked > 0
              WHEN 'known_vulnerable' THEN r.known_vulnerable > 0
              WHEN 'coverage_ended' THEN r.coverage_state = 'ended'
              WHEN 'coverage_ending' THEN r.coverage_state = 'ending_soon'
              WHEN 'stale' THEN r.stale
              ELSE true
          END
)
SELECT counted.total, page.id, page.name, page.url, page.core_version, page.last_sync_at, page.stale,
       page.not_secure, page.revoked, page.known_vulnerable, page.coverage_state,
       counts.projects, counts.updates_available, counts.security_updates
FROM (SELECT count(*) AS total FROM matching) AS counted
LEFT JOIN LATERAL (
    -- The same order twice: a top-N sort picks the page, the window numbers only its rows.
    SELECT picked.*, row_number() OVER (
               ORDER BY picked.in_trouble > 0 DESC,
                        CASE picked.coverage_state WHEN 'ended' THEN 0 WHEN 'ending_soon' THEN 1 ELSE 2 END,
                        picked.stale DESC, picked.not_secure + picked.revoked DESC, picked.known_vulnerable DESC,
                        lower(picked.name), picked.id) AS position
    FROM (
        SELECT m.* FROM matching m
        ORDER BY m.in_trouble > 0 DESC,
                 CASE m.coverage_state WHEN 'ended' THEN 0 WHEN 'ending_soon' THEN 1 ELSE 2 END,
                 m.stale DESC, m.not_secure + m.revoked DESC, m.known_vulnerable DESC, lower(m.name), m.id
        LIMIT %(limit)s OFFSET %(offset)s
    ) AS picked
) AS page ON true
LEFT JOIN LATERAL (
    SELECT count(*) AS projects,
           count(*) FILTER (WHERE sp.update_available) AS updates_available,
           count(*) FILTER (WHERE sp.security_update_available) AS security_updates
    FROM site_projects sp
    WHERE sp.site_id = page.id AND sp.removed_at IS NULL
) AS counts ON page.id IS NOT NULL
ORDER BY page.position
