-- How the portfolio's site modules are spread over the statuses, most common first.
SELECT status, count(*) AS count
FROM site_modules
GROUP BY status
ORDER BY count DESC
