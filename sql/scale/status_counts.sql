-- How the portfolio's site projects are spread over the statuses, most common first.
SELECT status, count(*) AS count
FROM site_projects
GROUP BY status
ORDER BY count DESC
