-- How many sites (all, or only `only_site_id`) have each kind of problem: the
-- portfolio's headline. Read from the same summary and index as the ranking.
WITH trouble AS (
    SELECT summary.not_secure > 0 AS not_secure, summary.revoked > 0 AS revoked,
           summary.known_vulnerable > 0 AS known_vulnerable
    FROM site_security_summary summary
    WHERE %(only_site_id)s::bigint IS NULL OR summary.site_id = %(only_site_id)s::bigint
),
coverage AS (
    SELECT count(*) FILTER (WHERE sp.security_coverage ->> 'state' = 'ended') AS ended,
           count(*) FILTER (WHERE sp.security_coverage ->> 'state' = 'ending_soon') AS ending
    FROM site_projects sp
    WHERE sp.project = 'drupal' AND sp.removed_at IS NULL
      AND (%(only_site_id)s::bigint IS NULL OR sp.site_id = %(only_site_id)s::bigint)
)
SELECT (SELECT count(*) FROM sites s
        WHERE %(only_site_id)s::bigint IS NULL OR s.id = %(only_site_id)s::bigint) AS sites,
       (SELECT count(*) FROM trouble WHERE not_secure) AS not_secure,
       (SELECT count(*) FROM trouble WHERE revoked) AS revoked,
       (SELECT count(*) FROM trouble WHERE known_vulnerable) AS known_vulnerable,
       coverage.ended AS coverage_ended, coverage.ending AS coverage_ending,
       (SELECT count(*) FROM sites s
        WHERE (%(only_site_id)s::bigint IS NULL OR s.id = %(only_site_id)s::bigint)
          AND coalesce(s.last_sync_at, s.created_at)
              < now() - make_interval(hours => %(stale_after_hours)s::int)) AS stale
FROM coverage
