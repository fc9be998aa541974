-- (site, module) pairs of the given sites (every site's when NULL) stored more
-- than once (the unique constraint prevents it; the check proves it), by the
-- sites' rows alone.
SELECT site_id, module_id, count(*) AS copies
FROM site_modules
WHERE %(site_ids)s::bigint[] IS NULL OR site_id = ANY(%(site_ids)s::bigint[])
GROUP BY site_id, module_id
HAVING count(*) > 1
LIMIT 20
