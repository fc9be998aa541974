-- How many sites have the module installed, and how many had it and lost it
-- in a full sync (their rows keep the module's history).
SELECT count(*) FILTER (WHERE removed_at IS NULL) AS sites_using,
       count(*) FILTER (WHERE removed_at IS NOT NULL) AS sites_removed
FROM site_modules
WHERE module_id = %(module_id)s
