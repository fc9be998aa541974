-- Today's point of the portfolio trend (UTC day), counted from the security
-- summary the pipeline keeps with the statuses (its projects in trouble per
-- site) and core's coverage (ix_site_projects_core_coverage). Recording the
-- same day again replaces its point: the day's last recording stands.
WITH trouble AS (
    SELECT site_id, not_secure, revoked, known_vulnerable FROM site_security_summary
),
coverage_ended AS (
    SELECT count(*) AS sites
    FROM site_projects sp
    WHERE sp.project = 'drupal' AND sp.removed_at IS NULL AND sp.security_coverage ->> 'state' = 'ended'
)
INSERT INTO portfolio_trend AS point (day, sites, sites_in_trouble, not_secure_projects, revoked_projects,
                                      known_vulnerable_projects, known_vulnerable_sites, coverage_ended_sites,
                                      recorded_at)
SELECT (now() AT TIME ZONE 'UTC')::date,
       (SELECT count(*) FROM sites),
       count(trouble.site_id),
       coalesce(sum(trouble.not_secure), 0),
       coalesce(sum(trouble.revoked), 0),
       coalesce(sum(trouble.known_vulnerable), 0),
       count(trouble.site_id) FILTER (WHERE trouble.known_vulnerable > 0),
       (SELECT sites FROM coverage_ended),
       now()
FROM trouble
ON CONFLICT (day) DO UPDATE
SET sites = excluded.sites, sites_in_trouble = excluded.sites_in_trouble,
    not_secure_projects = excluded.not_secure_projects, revoked_projects = excluded.revoked_projects,
    known_vulnerable_projects = excluded.known_vulnerable_projects,
    known_vulnerable_sites = excluded.known_vulnerable_sites,
    coverage_ended_sites = excluded.coverage_ended_sites, recorded_at = excluded.recorded_at
RETURNING point.day, point.sites, point.sites_in_trouble, point.not_secure_projects, point.revoked_projects,
          point.known_vulnerable_projects, point.known_vulnerable_sites, point.coverage_ended_sites,
          point.recorded_at
