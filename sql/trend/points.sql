-- The trend's daily points of the last `days` days, oldest first.
SELECT day, sites, sites_in_trouble, not_secure_projects, revoked_projects, known_vulnerable_projects,
       known_vulnerable_sites, coverage_ended_sites, recorded_at
FROM portfolio_trend
WHERE day > (now() AT TIME ZONE 'UTC')::date - %(days)s::int
ORDER BY day
